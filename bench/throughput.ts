// Group 3: tools/call throughput with 1, 16 and 64 concurrent sessions, each a distinct client connection in a
// closed loop (the next call leaves when the previous one is answered). Ours (McpMqttClient sessions → one
// McpMqttServerHost, which runs one SDK Server per client) against the raw MQTT.js client/device pair.
// Clients, device and (for the embedded broker) the broker share this one Node process.
import { performance } from 'node:perf_hooks';
import { startBroker } from '../test/helpers/brokers.js';
import { startRawDevice } from '../test/fixtures/raw-device.js';
import type { McpMqttClient } from '../src/core/client/mcp-client.js';
import { connectClient, connectRawRpcClient, oursCall, startHostedDevice, uid, type RawRpcClient } from './rpc.js';
import { round } from './stats.js';

const CONCURRENCY = [1, 16, 64];
const RUN_MS = 1_500;
const MAX_CALLS_PER_RUN = 50_000;

export interface ThroughputRow {
  broker: string;
  sessions: number;
  oursCallsPerSecond: number;
  rawCallsPerSecond: number;
  ratio: number;
}

export interface ThroughputResult {
  rows: ThroughputRow[];
}

/** Closed-loop calls from every worker until the time or the count runs out; calls per second overall. */
async function closedLoop(workers: (() => Promise<void>)[]): Promise<number> {
  let calls = 0;
  const t0 = performance.now();
  const deadline = t0 + RUN_MS;
  await Promise.all(
    workers.map(async (call) => {
      while (performance.now() < deadline && calls < MAX_CALLS_PER_RUN) {
        await call();
        calls++;
      }
    }),
  );
  return calls / ((performance.now() - t0) / 1000);
}

export async function runThroughput(log: (line: string) => void): Promise<ThroughputResult> {
  const rows: ThroughputRow[] = [];
  for (const setup of [
    { label: 'mosquitto (set_tcp_nodelay true)', kind: 'mosquitto' as const },
    { label: 'embedded (in-process)', kind: 'embedded' as const },
  ]) {
    const broker = await startBroker(setup.kind, { nodelay: true });
    const stops: (() => Promise<unknown>)[] = [];
    try {
      const oursName = `bench/tp-ours-${uid()}`;
      const rawName = `bench/tp-raw-${uid()}`;
      const host = await startHostedDevice(broker.url, oursName);
      stops.push(() => host.stop());
      const device = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: rawName });
      stops.push(() => device.stop());
      const maxSessions = Math.max(...CONCURRENCY);
      const clients: McpMqttClient[] = [];
      const raws: RawRpcClient[] = [];
      for (let i = 0; i < maxSessions; i++) {
        const client = await connectClient(broker.url);
        stops.push(() => client.close());
        clients.push(client);
        await oursCall(client, oursName); // initializes the session outside the timed part
        const raw = await connectRawRpcClient(broker.url, device.serverId, rawName, true);
        stops.push(() => raw.close());
        raws.push(raw);
      }
      for (const sessions of CONCURRENCY) {
        const ours = clients.slice(0, sessions).map((c) => () => oursCall(c, oursName));
        const raw = raws.slice(0, sessions).map((r) => async () => void (await r.call('add', { a: 1, b: 2 })));
        // Alternate twice and keep the better run of each: a throughput run is long enough that the noise
        // which matters is a neighbour's burst, and the best run is the one that missed it.
        let oursBest = 0;
        let rawBest = 0;
        for (let rep = 0; rep < 2; rep++) {
          rawBest = Math.max(rawBest, await closedLoop(raw));
          oursBest = Math.max(oursBest, await closedLoop(ours));
        }
        const row = { broker: setup.label, sessions, oursCallsPerSecond: Math.round(oursBest), rawCallsPerSecond: Math.round(rawBest), ratio: round(oursBest / rawBest, 2) };
        rows.push(row);
        log(`  ${setup.label}, ${sessions} session(s): ours ${row.oursCallsPerSecond}/s, raw ${row.rawCallsPerSecond}/s (ours/raw ${row.ratio})`);
      }
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await broker.stop();
    }
  }
  return { rows };
}
