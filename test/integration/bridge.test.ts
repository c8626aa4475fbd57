// `mqtt-mcp bridge` (stdio) against real brokers: the official SDK Client spawns the built CLI with
// StdioClientTransport and reaches a hosted SDK McpServer and the independent raw device through it.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { startRawDevice, waitUntil, type RawDevice } from '../fixtures/raw-device.js';
import { progressBeforeResult, recordIncoming, startHostedDevice, textOf, type HostedDevice } from './gateway-devices.js';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
const uid = (): string => randomBytes(5).toString('hex');

interface Agent {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  /** Transport errors, such as a stdout line that is not JSON-RPC. */
  errors: Error[];
}

for (const kind of brokerKinds()) {
  describe(`mqtt-mcp bridge (stdio) on ${kind}`, () => {
    let broker: TestBroker;
    let hosted: HostedDevice;
    let raw: RawDevice;
    const prefix = `br${uid()}`;
    const hostedName = `${prefix}/hosted/lamp`;
    const rawName = `${prefix}/raw/plug`;
    const cleanups: (() => Promise<unknown>)[] = [];

    async function agent(serverName: string, extraArgs: string[] = []): Promise<Agent> {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [cli, 'bridge', '--broker', broker.url, '--server', serverName, ...extraArgs],
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const client = new Client({ name: 'stdio-agent', version: '1.0.0' }, { capabilities: { sampling: {} } });
      const errors: Error[] = [];
      client.onerror = (e) => errors.push(e);
      cleanups.push(() => client.close());
      await client.connect(transport);
      return { client, transport, stderr: () => stderr, errors };
    }

    before(async () => {
      // The test script builds before running tests; a lone run builds here.
      if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0);
      broker = await startBroker(kind);
      hosted = await startHostedDevice(broker.url, `hosted-${uid()}`, hostedName);
      raw = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: rawName });
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    });
    after(async () => {
      await hosted.host.stop();
      await raw.stop();
      await broker.stop();
    });

    it('passes list, call, isError, errors, progress, sampling and list_changed through (hosted SDK McpServer)', async () => {
      const { client, transport, errors, stderr } = await agent(hostedName);
      assert.equal(client.getServerVersion()?.name, 'hosted-test-device');
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'ask', 'count', 'fail', 'wait', 'whoami']);
      assert.equal(textOf(await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })), '42');
      const failed = await client.callTool({ name: 'fail', arguments: {} });
      assert.equal(failed.isError, true);
      await assert.rejects(client.request({ method: 'vendor/unknown', params: {} }, z.object({})), (e: unknown) => e instanceof McpError && e.code === -32601);

      const seen = recordIncoming(transport);
      await client.callTool({ name: 'count', arguments: { to: 2 } }, undefined, { onprogress: () => undefined });
      const countId = (seen.at(-1) as { id: number }).id;
      assert.deepEqual(progressBeforeResult(seen, countId), [1, 2]);
      client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', model: 'm', content: { type: 'text', text: 'forty-two' } }));
      assert.equal(textOf(await client.callTool({ name: 'ask', arguments: { question: 'what?' } })), 'forty-two');

      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      await hosted.host.notifyCapability('notifications/tools/list_changed');
      await waitUntil(() => changed === 1, 'list_changed at the agent');
      // The only error allowed is the SDK Client's own progress race (see recordIncoming); a stdout line that
      // is not JSON-RPC would show up here as a parse error.
      assert.deepEqual(errors.filter((e) => !/progress notification for an unknown token/.test(e.message)), [], 'stdout carried only JSON-RPC');
      assert.match(stderr(), /serving ".*\/hosted\/lamp"/);
    });

    it('passes list, call, isError and JSON-RPC errors through (raw device)', async () => {
      const { client, errors } = await agent(rawName);
      assert.equal(client.getServerVersion()?.name, 'raw-test-device');
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['add', 'echo', 'fail', 'slow']);
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ünïcode ✓' } })), 'ünïcode ✓');
      assert.equal((await client.callTool({ name: 'fail', arguments: {} })).isError, true);
      await assert.rejects(client.callTool({ name: 'add', arguments: { a: 1 } }), (e: unknown) => e instanceof McpError && e.code === -32602);
      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      await raw.notifyToolsChanged();
      await waitUntil(() => changed === 1, 'list_changed at the agent');
      assert.deepEqual(errors, []);
    });

    it('fails calls at once while the device is offline and resumes when it is back', async () => {
      const name = `${prefix}/flaky/pump`;
      let device = await startHostedDevice(broker.url, `flaky-${uid()}`, name);
      cleanups.push(() => device.host.stop());
      const { client } = await agent(name);
      const started = device.waitStarted();
      const call = client.callTool({ name: 'wait', arguments: {} }, undefined, { timeout: 120_000 });
      await started;
      device.host.crash();
      await assert.rejects(call, (e: unknown) => e instanceof McpError && e.code === -32000 && /went offline/.test(e.message));
      await assert.rejects(client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }, undefined, { timeout: 120_000 }), /offline/);

      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      device = await startHostedDevice(broker.url, `flaky-${uid()}`, name);
      // The bridge learns of the return from presence, asynchronously: calls fail fast until then, so retry.
      let sum = '';
      for (let i = 0; i < 300 && sum !== '2'; i++) {
        sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }).then(textOf, () => '');
        if (sum !== '2') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(sum, '2');
      // The device may have new firmware: the agent is told to re-list.
      await waitUntil(() => changed >= 1, 'list_changed after resuming');
    });

    it('exits with a clear message when the server does not come online in time', async () => {
      const child = spawn(process.execPath, [cli, 'bridge', '--broker', broker.url, '--server', `${prefix}/nobody`, '--wait', '200'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1);
      assert.equal(stdout, '');
      assert.match(stderr, /".*\/nobody" did not come online on .* within 0 s\. Online: .*hosted\/lamp/);
    });

    it('ends the device session and exits when the agent closes stdin', async () => {
      const { client, transport } = await agent(hostedName);
      const deviceClientId = textOf(await client.callTool({ name: 'whoami', arguments: {} }));
      assert.ok(hosted.host.clientIds.includes(deviceClientId));
      const pid = transport.pid;
      await client.close();
      await waitUntil(() => !hosted.host.clientIds.includes(deviceClientId), 'the device to see the session end');
      await waitUntil(() => pid === null || !isAlive(pid), 'the bridge process to exit');
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
