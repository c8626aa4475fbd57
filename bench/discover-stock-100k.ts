// `mqtt-mcp discover --json --wait 500` at 100,000 retained presence messages on Mosquitto, with its stock queue
// limits (it drops what a client cannot take: discover must end anyway, exit 3 and say so) and with them raised.
// Not part of `npm run bench` (it is a behaviour check with figures): node --import tsx bench/discover-stock-100k.ts
// after node scripts/build.mjs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startBroker } from '../test/helpers/brokers.js';
import { publishPresenceFleet } from '../test/helpers/fleet.js';

const COUNT = 100_000;
async function main(): Promise<void> {
for (const stock of [true, false]) {
  const broker = await startBroker('mosquitto', stock ? { stockQueueLimits: true } : { maxQueuedMessages: 1_000_000 });
  const t0 = Date.now();
  await publishPresenceFleet(broker.url, 'big', COUNT);
  const published = Date.now() - t0;
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(__dirname, '../dist/cli.js'), 'discover', '--broker', broker.url, '--json', '--wait', '500'], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  const ms = Date.now() - started;
  let servers: number | string;
  try {
    const j = JSON.parse(r.stdout);
    servers = (Array.isArray(j) ? j : j.servers ?? []).length;
  } catch {
    servers = 'stdout is not JSON';
  }
  console.log(JSON.stringify({ limits: stock ? 'stock (max_queued_messages 1000)' : 'max_queued_messages 1000000', publishMs: published, discoverMs: ms, exit: r.status, signal: r.signal, servers, stdoutBytes: r.stdout.length, stderr: r.stderr.trim().slice(0, 400) }));
  await broker.stop();
}
}
void main();
