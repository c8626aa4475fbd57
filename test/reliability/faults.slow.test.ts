// Faults (issue 14 D5, blackholed connections, device crashes): after a broker restart the core session (what
// the extension and the CLI use), the stdio bridge and the gateway each make a call again within 3 s of the
// device being back; a stalled connection and a killed device fail calls in bounded time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { McpGateway } from '../../src/core/gateway/index.js';
import { classifyRequestError } from '../../src/core/transport/local-errors.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, publishAsync, subscribeAsync, waitUntil } from '../fixtures/raw-device.js';
import { textOf } from '../integration/gateway-devices.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { McpMqttServerHost } from '../../src/core/server/host.js';
import { startScriptedDevice } from './scripted-device.js';
import { startStallingProxy } from './tcp-proxy.js';
import { recordFigures } from './figures.js';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
const uid = (): string => randomBytes(4).toString('hex');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(() => {
  if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0);
});

/** Calls until one succeeds (an agent retrying); resolves with the time of the first success. */
async function firstSuccess(who: string, attempt: () => Promise<string>, giveUpAt: number): Promise<number> {
  let last: unknown;
  for (;;) {
    try {
      if ((await attempt()) === '42') return Date.now();
    } catch (e) {
      // Failing while the device is away is expected; what counts is how soon it works again.
      last = e;
    }
    if (Date.now() > giveUpAt) throw new Error(`${who}: no successful call before giving up (last: ${(last as Error)?.message})`);
    await pause(50);
  }
}

for (const kind of brokerKinds()) {
  describe(`faults on ${kind}`, () => {
    let broker: TestBroker;
    const prefix = `flt${uid()}`;
    before(async () => {
      broker = await startBroker(kind);
    });
    after(async () => {
      await broker.stop();
    });

    it('core session, stdio bridge and gateway call again within 3 s of the device being back after a broker restart (D5)', async () => {
      const name = `${prefix}/lamp`;
      const serverId = `lamp-${uid()}`;
      // A device that reconnects 1.5 s after broker loss: it comes back after the clients do.
      const host = new McpMqttServerHost({
        broker: { url: broker.url },
        reconnect: { initialDelayMs: 1500, maxDelayMs: 1500 },
        serverId,
        serverName: name,
        description: 'lamp',
        createServer: () => {
          const mcp = new McpServer({ name: 'lamp', version: '1.0.0' });
          mcp.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
          return mcp.server;
        },
      });
      await host.start();
      const fast = { initialDelayMs: 100, maxDelayMs: 500 };
      // The core client as the extension uses it (reconnecting, sessions on the shared connection).
      const core = new McpMqttClient({ broker: { url: broker.url }, reconnect: fast });
      await core.connect();
      const coreCall = async (): Promise<string> => textOf(await (await core.session(name)).callTool('add', { a: 40, b: 2 }, { timeoutMs: 5000 }));
      // The stdio bridge as an agent runs it.
      const bridgeTransport = new StdioClientTransport({ command: process.execPath, args: [cli, 'bridge', '--broker', broker.url, '--server', name], stderr: 'pipe' });
      const bridgeAgent = new Client({ name: 'bridge-agent', version: '1.0.0' });
      await bridgeAgent.connect(bridgeTransport);
      const bridgeCall = async (): Promise<string> => textOf(await bridgeAgent.callTool({ name: 'add', arguments: { a: 40, b: 2 } }, undefined, { timeout: 5000 }));
      // The gateway, with an agent that opens a new session when its old one is gone.
      const gwClient = new McpMqttClient({ broker: { url: broker.url }, reconnect: fast });
      await gwClient.connect();
      const gateway = new McpGateway({ client: gwClient });
      const address = await gateway.start();
      let gwAgent: Client | undefined;
      const gatewayCall = async (): Promise<string> => {
        if (!gwAgent) {
          const c = new Client({ name: 'http-agent', version: '1.0.0' });
          await c.connect(new StreamableHTTPClientTransport(new URL(gateway.urlFor(name)), { requestInit: { headers: { Authorization: `Bearer ${address.token}` } } }));
          gwAgent = c;
        }
        try {
          return textOf(await gwAgent.callTool({ name: 'add', arguments: { a: 40, b: 2 } }, undefined, { timeout: 5000 }));
        } catch (e) {
          await gwAgent.close().catch(() => undefined);
          gwAgent = undefined;
          throw e;
        }
      };
      // "The device is back": its presence reaches a watcher that reconnects within 50 ms of the broker.
      const watcher = await connectRawMqtt(broker.url, `watch-${uid()}`, { reconnectPeriod: 50 });
      let deviceBackAt = 0;
      let armed = false;
      let presence: Buffer | undefined;
      watcher.on('message', (_t, payload, packet) => {
        if (!armed && payload.length > 0) presence = payload;
        // The device's own presence (MQTT.js delivers it live, not as the restored retained copy).
        if (armed && payload.length > 0 && !packet.retain && deviceBackAt === 0) deviceBackAt = Date.now();
      });
      watcher.on('connect', () => void subscribeAsync(watcher, { [`$mcp-server/presence/${serverId}/${name}`]: { qos: 0 } }).catch(() => undefined));
      await subscribeAsync(watcher, { [`$mcp-server/presence/${serverId}/${name}`]: { qos: 0 } });
      try {
        for (const c of [coreCall, bridgeCall, gatewayCall]) assert.equal(await c(), '42');
        armed = true;
        await broker.restart?.();
        // A broker with persistence (EMQX, Mosquitto with persistence on) restores the retained presence at
        // once, so clients initialize before the device has re-subscribed: the lost-initialize race.
        const restorer = await connectRawMqtt(broker.url, `restore-${uid()}`);
        await publishAsync(restorer, `$mcp-server/presence/${serverId}/${name}`, presence as Buffer, { retain: true });
        await endAsync(restorer);
        const giveUp = Date.now() + 40_000;
        const [coreAt, bridgeAt, gatewayAt] = await Promise.all([firstSuccess('core', coreCall, giveUp), firstSuccess('bridge', bridgeCall, giveUp), firstSuccess('gateway', gatewayCall, giveUp)]);
        await waitUntil(() => deviceBackAt > 0, 'the device presence after the restart');
        const recovery = { core: coreAt - deviceBackAt, bridge: bridgeAt - deviceBackAt, gateway: gatewayAt - deviceBackAt };
        recordFigures(`restart-recovery-${kind}`, { recoveryMsAfterDeviceBack: recovery });
        for (const [who, ms] of Object.entries(recovery)) assert.ok(ms < 3000, `${who} recovered ${ms} ms after the device was back`);
      } finally {
        await endAsync(watcher, true);
        await gwAgent?.close().catch(() => undefined);
        await gateway.stop();
        await gwClient.close();
        await bridgeAgent.close().catch(() => undefined);
        await core.close();
        await host.stop();
      }
    });

    it('detects a blackholed connection (no RST) and fails the call in bounded time', async () => {
      const name = `${prefix}/silent`;
      const device = await startScriptedDevice({ url: broker.url, serverId: `sil-${uid()}`, serverName: name });
      const proxy = await startStallingProxy(broker.host, broker.port);
      const client = new McpMqttClient({ broker: { url: proxy.url }, reconnect: false });
      try {
        await client.connect();
        const session = await client.session(name);
        const pending = session.callTool('never', {}, { timeoutMs: 120_000 }).then(() => assert.fail('resolved'), (e: unknown) => e);
        await waitUntil(() => device.calls.length === 1, 'the call to reach the device');
        proxy.blackhole();
        const holedAt = Date.now();
        // The next request (a ping) gets no PINGRESP/PUBACK: the silence watch declares the link dead.
        void session.ping().catch(() => undefined);
        const error = await pending;
        const detectedMs = Date.now() - holedAt;
        assert.equal(classifyRequestError(error).kind, 'connection');
        recordFigures(`blackhole-${kind}`, { detectedMs, before: '45 s (keepalive 30 s x 1.5)' });
        // Default silence bound 10 s, plus a loaded machine's slack; before: 45 s.
        assert.ok(detectedMs < 20_000, `detected after ${detectedMs} ms`);
      } finally {
        await client.close().catch(() => undefined);
        await proxy.close();
        await device.stop();
      }
    });

    it('detects a blackholed connection while idle (nothing in flight) within keepalive + silence bound', async () => {
      const proxy = await startStallingProxy(broker.host, broker.port);
      // Default keepalive (15 s) and silence bound (10 s): an idle link's first owed answer is the PINGRESP.
      const client = new McpMqttClient({ broker: { url: proxy.url }, reconnect: false });
      const states: string[] = [];
      client.on('state', (state: string) => states.push(state));
      try {
        await client.connect();
        proxy.blackhole();
        const holedAt = Date.now();
        await waitUntil(() => client.state !== 'connected', 'the idle blackholed link to be declared dead', 60_000);
        const detectedMs = Date.now() - holedAt;
        assert.ok(['closed', 'failed', 'reconnecting'].includes(client.state), `state ${client.state} (${states.join(' → ')})`);
        recordFigures(`blackhole-idle-${kind}`, { detectedMs, expected: '≤ 25 s (keepalive 15 s + silence 10 s)' });
        // 15 s until the PINGREQ, 10 s of silence after it; the rest is a loaded machine's slack.
        assert.ok(detectedMs < 35_000, `detected after ${detectedMs} ms`);
      } finally {
        await client.close().catch(() => undefined);
        await proxy.close();
      }
    });

    it('fails a call at once when the device is killed (SIGKILL) mid-call', async () => {
      const name = `${prefix}/killed`;
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'device-child.ts'), broker.url, `kill-${uid()}`, name], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false });
      try {
        await client.connect();
        const session = await client.session(name);
        assert.equal(textOf(await session.callTool('quick', {})), 'quick');
        const pending = session.callTool('hang', {}, { timeoutMs: 120_000 }).then(() => assert.fail('resolved'), (e: unknown) => e);
        await pause(100);
        const killedAt = Date.now();
        child.kill('SIGKILL');
        const error = await pending;
        const failedMs = Date.now() - killedAt;
        assert.equal(classifyRequestError(error).kind, 'connection');
        recordFigures(`device-sigkill-${kind}`, { callFailedMsAfterKill: failedMs });
        assert.ok(failedMs < 10_000, `failed ${failedMs} ms after the kill`);
      } finally {
        child.kill('SIGKILL');
        await client.close();
      }
    });
  });
}
