// `mqtt-mcp gateway --json` as a process: one JSON line at start and one per change, URLs an SDK Client can
// use with the printed token, and a clean exit on SIGTERM.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { startHostedDevice, textOf } from './gateway-devices.js';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
const uid = (): string => randomBytes(5).toString('hex');

interface Announcement {
  token: string;
  servers: { name: string; url: string }[];
}

for (const kind of brokerKinds()) {
  describe(`mqtt-mcp gateway --json on ${kind}`, () => {
    let broker: TestBroker;
    before(async () => {
      if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0);
      broker = await startBroker(kind);
    });
    after(async () => {
      await broker.stop();
    });

    it('announces servers as JSON lines, serves them, and exits cleanly on SIGTERM', async () => {
      const prefix = `gc${uid()}`;
      const first = await startHostedDevice(broker.url, `first-${uid()}`, `${prefix}/first`);
      const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [cli, 'gateway', '--broker', broker.url, '--filter', `${prefix}/#`, '--json']);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let second: Awaited<ReturnType<typeof startHostedDevice>> | undefined;
      try {
        const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
        const next = async (): Promise<Announcement> => JSON.parse(String((await lines.next()).value)) as Announcement;

        const start = await next();
        assert.deepEqual(start.servers.map((s) => s.name), [`${prefix}/first`]);
        assert.match(start.token, /^[\w-]{20,}$/);
        assert.match(start.servers[0]?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/mcp\/gc\w+%2Ffirst$/);

        second = await startHostedDevice(broker.url, `second-${uid()}`, `${prefix}/second`);
        const changed = await next();
        assert.deepEqual(changed.servers.map((s) => s.name), [`${prefix}/first`, `${prefix}/second`]);
        assert.equal(changed.token, start.token);

        const agent = new Client({ name: 'cli-test', version: '1' });
        const url = changed.servers[1]?.url as string;
        await agent.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${start.token}` } } }));
        assert.equal(textOf(await agent.callTool({ name: 'add', arguments: { a: 1, b: 2 } })), '3');
        await agent.close();
      } finally {
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
        await second?.host.stop();
        await first.host.stop();
      }
    });
  });
}
