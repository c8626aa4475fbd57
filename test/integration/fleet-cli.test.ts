// `mqtt-mcp gateway --json` announces the fleet server beside the per-device servers, and an SDK Client can
// use it with the printed token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { startHostedDevice } from './gateway-devices.js';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');

for (const kind of brokerKinds()) {
  describe(`mqtt-mcp gateway --json fleet (${kind})`, () => {
    let broker: TestBroker;
    before(async () => {
      if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0);
      broker = await startBroker(kind);
    });
    after(() => broker.stop());

    it('prints "fleet": {"name", "url"} and serves it', async () => {
      const prefix = `fc${Math.random().toString(36).slice(2, 8)}`;
      const device = await startHostedDevice(broker.url, `d-${prefix}`, `${prefix}/lamp`);
      const child = spawn(process.execPath, [cli, 'gateway', '--broker', broker.url, '--filter', `${prefix}/#`, '--json', '--fleet-max-call-many', '5']);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
        const start = JSON.parse(String((await lines.next()).value)) as { token: string; fleet?: { name: string; url: string } };
        assert.match(start.fleet?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/fleet$/);
        assert.equal(start.fleet?.name, `${broker.url} fleet`);
        const agent = new Client({ name: 'fleet-cli-test', version: '1' });
        await agent.connect(new StreamableHTTPClientTransport(new URL(start.fleet?.url as string), { requestInit: { headers: { Authorization: `Bearer ${start.token}` } } }));
        const found = (await agent.callTool({ name: 'find_devices', arguments: { filter: `${prefix}/#` } })) as CallToolResult;
        assert.deepEqual((found.structuredContent as { devices: { name: string }[] }).devices.map((d) => d.name), [`${prefix}/lamp`]);
        const sum = (await agent.callTool({ name: 'call_device_tool', arguments: { server_name: `${prefix}/lamp`, tool: 'add', arguments: { a: 20, b: 22 } } })) as CallToolResult;
        assert.deepEqual(sum.content, [{ type: 'text', text: '42' }]);
        await agent.close();
      } finally {
        child.kill('SIGTERM');
        await exited;
        await device.host.stop();
      }
    });
  });
}
