// The shipped proxy example works end to end: examples/proxy/legacy-thermostat.mjs (a plain MQTT.js process)
// behind the example model, used through MCP: telemetry, a confirmed command, a correlated query, and a
// command that times out once the device is gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { waitUntil } from '../fixtures/raw-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { ServerSession } from '../../src/core/client/session.js';
import { DeviceProxy } from '../../src/core/proxy/index.js';

const exampleDir = join(__dirname, '..', '..', 'examples', 'proxy');
const serverName = 'home/livingroom/thermostat';
const text = (result: CallToolResult): string => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

for (const kind of brokerKinds()) {
  describe(`proxy example with the legacy thermostat script (${kind})`, () => {
    let broker: TestBroker;
    let legacy: ChildProcess | undefined;
    let proxy: DeviceProxy;
    let client: McpMqttClient;
    let session: ServerSession;

    before(async () => {
      broker = await startBroker(kind);
      legacy = spawn(process.execPath, [join(exampleDir, 'legacy-thermostat.mjs'), '--broker', broker.url, '--interval', '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      legacy.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      await waitUntil(() => output.includes('connected'), 'the legacy thermostat to connect');
      proxy = new DeviceProxy({ broker: { url: broker.url } });
      await proxy.addFile(join(exampleDir, 'livingroom-thermostat.device.yaml'));
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: ['home/#'] });
      await client.connect();
      await waitUntil(() => client.registry.get(serverName) !== undefined, 'the proxied thermostat to be discovered');
      session = await client.session(serverName);
    });

    after(async () => {
      if (legacy && legacy.exitCode === null) {
        legacy.kill('SIGTERM');
        await once(legacy, 'exit');
      }
      await client?.close();
      await proxy?.stop();
      await broker?.stop();
    });

    it('reads telemetry, and set_target returns the device\'s confirmation', async () => {
      const runtime = proxy.devices()[0]!.runtime;
      await waitUntil(() => typeof runtime.getAttributes().temperature === 'number' && typeof runtime.getAttributes().humidity === 'number', 'telemetry');
      const result = await session.callTool('set_target', { target: 23 });
      assert.equal(result.isError, undefined, text(result));
      assert.match(text(result), /confirmed target 23 °C/);
      assert.match(text(result), /\{"target":23,"mode":"heat"\}/);
    });

    it('query_device is answered through MQTT 5 request/response', async () => {
      const result = await session.callTool('query_device', {});
      assert.equal(result.isError, undefined, text(result));
      assert.match(text(result), /"firmware":"3\.1\.4"/);
    });

    it('once the device is gone, a command times out with a clear error', async () => {
      legacy!.kill('SIGTERM');
      await once(legacy!, 'exit');
      const result = await session.callTool('set_mode', { mode: 'eco' });
      assert.equal(result.isError, true);
      assert.match(text(result), /No confirmation from the device within 3000 ms/);
    });
  });
}
