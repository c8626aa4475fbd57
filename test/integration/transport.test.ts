// Session life cycle over real brokers: broker loss mid-call, a dropped client connection, device crash and
// graceful stop, de-initialize in both directions, and capability notifications reaching the SDK Client.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type BrokerKind, type TestBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, makeSdkServer, startRawDevice, subscribeAsync, waitUntil, type RawDevice } from '../fixtures/raw-device.js';
import { McpMqttClient, type McpClientOptions } from '../../src/core/client/mcp-client.js';
import { McpMqttServerHost, type ServerHostOptions } from '../../src/core/server/host.js';

const TIMEOUTS = { callMs: 3000, listMs: 3000, initializeMs: 3000, pingMs: 3000 };
const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 200 };
const uid = (): string => randomBytes(5).toString('hex');
const onlineNames = (c: McpMqttClient): string[] => c.registry.servers().filter((s) => s.online).map((s) => s.name);
const text = (result: { content?: unknown }): string => (result.content as { text?: string }[] | undefined)?.[0]?.text ?? '';

function suite(kind: BrokerKind): void {
  describe(`session life cycle on ${kind}`, () => {
    let broker: TestBroker;
    const cleanups: (() => Promise<unknown> | unknown)[] = [];
    before(async () => {
      broker = await startBroker(kind);
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
    });
    after(async () => broker.stop());

    async function client(prefix: string, extra: Partial<McpClientOptions> = {}): Promise<McpMqttClient> {
      const c = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: TIMEOUTS, serverNameFilters: [`${prefix}/#`], ...extra });
      cleanups.push(() => c.close());
      await c.connect();
      return c;
    }
    async function host(serverName: string, extra: Partial<ServerHostOptions> = {}, onSlowCall?: () => void): Promise<McpMqttServerHost> {
      const serverId = `host-${uid()}`;
      const h = new McpMqttServerHost({
        broker: { url: broker.url },
        serverId,
        serverName,
        description: serverName,
        reconnect: false,
        createServer: ({ clientId }) => makeSdkServer(serverId, clientId, { onSlowCall }),
        ...extra,
      });
      cleanups.push(() => h.stop());
      await h.start();
      return h;
    }
    async function device(serverName: string): Promise<RawDevice> {
      const d = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName });
      cleanups.push(() => d.stop());
      return d;
    }

    it('broker restart mid-call: the call fails fast, then presence is rediscovered and the next call re-initializes', async () => {
      const p = `t${uid()}`;
      let slowStarted = false;
      const h = await host(`${p}/svc`, { reconnect: FAST_RECONNECT }, () => (slowStarted = true));
      const c = await client(p, { reconnect: FAST_RECONNECT, timeouts: { ...TIMEOUTS, callMs: 30_000 } });
      const s1 = await c.session(`${p}/svc`);
      const call = s1.callTool('slow', { ms: 60_000 });
      await waitUntil(() => slowStarted, 'the slow call to reach the server');
      const resubscribed = new Promise<void>((resolve) => c.connection.once('resubscribed', () => resolve()));
      const restarted = broker.restart?.();
      assert.ok(restarted, 'the harness can restart this broker');
      // Mosquitto publishes the host's will as it shuts down, so the reason is either one; never a timeout.
      await assert.rejects(call, (e: Error) => {
        assert.match(e.message, new RegExp(`lost connection to mqtt://|${p}/svc went offline`));
        assert.doesNotMatch(e.message, /timed out/i);
        return true;
      });
      assert.equal(s1.closed, true);
      await restarted;
      await resubscribed;
      // After the resync only re-announced instances count: this one comes back when the host re-announces.
      await c.connection.sync();
      await c.connection.sync();
      await waitUntil(() => c.registry.get(`${p}/svc`)?.instances.some((i) => i.serverId === h.serverId) === true, 'presence to be rediscovered', 15_000);
      const s2 = await c.session(`${p}/svc`);
      assert.notEqual(s2, s1);
      assert.equal(text(await s2.callTool('whoami')), `${h.serverId} ${c.clientId}`);
      assert.deepEqual(h.clientIds, [c.clientId]);
    });

    it('a client whose own connection drops keeps every server that is still present after the resync', async () => {
      const p = `t${uid()}`;
      const devices = await Promise.all([1, 2, 3, 4, 5].map((i) => device(`${p}/d${i}`)));
      const c = await client(p, { reconnect: FAST_RECONNECT });
      assert.equal(c.registry.onlineCount, devices.length);
      const s1 = await c.session(`${p}/d1`);
      const resynced = new Promise<void>((resolve) => c.connection.once('resubscribed', () => resolve()));
      // Drop only this client's socket: the broker keeps every device and its retained presence.
      ((c.connection as unknown as { client: MqttClient }).client.stream as unknown as { destroy(): void }).destroy();
      await waitUntil(() => s1.closed, 'the session to end with the connection');
      assert.match(s1.closeReason ?? '', /lost connection/);
      await resynced;
      // The retained snapshot comes again; wait until the resync is over (a round trip after it), then check.
      await c.connection.sync();
      await c.connection.sync();
      assert.deepEqual(
        c.registry.servers().filter((s) => !s.online).map((s) => s.name),
        [],
        'no present server may be swept as gone',
      );
      assert.equal(c.registry.onlineCount, devices.length);
      const s2 = await c.session(`${p}/d1`);
      assert.equal(text(await s2.callTool('add', { a: 1, b: 1 })), '2');
    });

    it('device crash: the will clears presence and the pending call fails fast naming the server', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/crashy`);
      const c = await client(p, { timeouts: { ...TIMEOUTS, callMs: 30_000 } });
      const s = await c.session(`${p}/crashy`);
      const call = s.callTool('slow', { ms: 60_000 });
      await d.waitFor((m) => m.payload.includes('"tools/call"'));
      d.crash();
      await assert.rejects(call, (e: Error) => {
        assert.match(e.message, new RegExp(`${p}/crashy went offline`));
        return true;
      });
      assert.equal(c.registry.get(`${p}/crashy`)?.online, false);
      assert.equal(s.closed, true);
      const fresh = await client(p);
      assert.equal(fresh.registry.get(`${p}/crashy`), undefined, 'the retained presence is gone');
      await assert.rejects(c.session(`${p}/crashy`), /offline/);
    });

    it('server host crash: same, through McpMqttServerHost.crash()', async () => {
      const p = `t${uid()}`;
      let started = false;
      const h = await host(`${p}/hc`, {}, () => (started = true));
      const c = await client(p, { timeouts: { ...TIMEOUTS, callMs: 30_000 } });
      const s = await c.session(`${p}/hc`);
      const call = s.callTool('slow', { ms: 60_000 });
      await waitUntil(() => started, 'the call to reach the host');
      h.crash();
      await assert.rejects(call, new RegExp(`${p}/hc went offline`));
      assert.equal(c.registry.get(`${p}/hc`)?.online, false);
    });

    it('graceful stop clears presence (raw device and server host), and the host tells its clients', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/raw`);
      const h = await host(`${p}/host`);
      const c = await client(p);
      const sRaw = await c.session(`${p}/raw`);
      const sHost = await c.session(`${p}/host`);
      await d.stop();
      await h.stop();
      await waitUntil(() => onlineNames(c).length === 0, 'both to go offline');
      await waitUntil(() => sRaw.closed && sHost.closed, 'both sessions to end');
      assert.match(sHost.closeReason ?? '', /ended the session|went offline/);
      assert.match(sRaw.closeReason ?? '', /went offline/);
      const fresh = await client(p);
      assert.equal(fresh.registry.size, 0, 'no retained presence is left');
    });

    it('client de-initialize: the server drops the client (host and raw device)', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/raw`);
      const h = await host(`${p}/host`);
      const c = await client(p);
      const sRaw = await c.session(`${p}/raw`);
      const sHost = await c.session(`${p}/host`);
      assert.deepEqual(h.clientIds, [c.clientId]);
      assert.deepEqual(d.clientIds(), [c.clientId]);
      await sRaw.close();
      await sHost.close();
      await waitUntil(() => h.clientIds.length === 0 && d.clientIds().length === 0, 'both servers to drop the client');
      const bye = d.received.find((m) => m.topic === d.rpcTopic(c.clientId) && m.payload.includes('notifications/disconnected'));
      assert.ok(bye, 'the device got notifications/disconnected on the RPC topic');
      // A new session with the same server works (fresh initialize).
      const again = await c.session(`${p}/host`);
      assert.notEqual(again, sHost);
      assert.equal(text(await again.callTool('add', { a: 2, b: 2 })), '4');
    });

    it('client de-initialize followed at once by a new initialize keeps the new session (host)', async () => {
      const p = `t${uid()}`;
      const h = await host(`${p}/host`);
      const c = await client(p);
      for (let i = 0; i < 5; i++) {
        const s = await c.session(`${p}/host`);
        assert.equal(text(await s.callTool('add', { a: i, b: 1 })), String(i + 1));
        await s.close();
      }
      const last = await c.session(`${p}/host`);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(h.clientIds, [c.clientId]);
      assert.equal(text(await last.callTool('add', { a: 1, b: 1 })), '2');
    });

    it('server de-initialize: the client session ends with a reason, and the next call re-initializes', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/raw`);
      const h = await host(`${p}/host`);
      const c = await client(p);
      const sRaw = await c.session(`${p}/raw`);
      const sHost = await c.session(`${p}/host`);
      await h.deinitialize(c.clientId);
      await d.deinitialize(c.clientId);
      await waitUntil(() => sRaw.closed && sHost.closed, 'both sessions to end');
      assert.match(sHost.closeReason ?? '', new RegExp(`${p}/host ended the session`));
      assert.match(sRaw.closeReason ?? '', new RegExp(`${p}/raw ended the session`));
      assert.deepEqual(h.clientIds, []);
      const again = await c.session(`${p}/host`);
      assert.equal(text(await again.callTool('whoami')), `${h.serverId} ${c.clientId}`);
      const againRaw = await c.session(`${p}/raw`);
      assert.equal(text(await againRaw.callTool('add', { a: 1, b: 2 })), '3');
    });

    it('a server de-initialize fails a pending call at once', async () => {
      const p = `t${uid()}`;
      let started = false;
      const h = await host(`${p}/host`, {}, () => (started = true));
      const c = await client(p, { timeouts: { ...TIMEOUTS, callMs: 30_000 } });
      const s = await c.session(`${p}/host`);
      const call = s.callTool('slow', { ms: 60_000 }).then(
        () => 'resolved',
        (e: Error) => e.message,
      );
      await waitUntil(() => started, 'the call to start');
      await h.deinitialize(c.clientId);
      assert.match(await call, new RegExp(`${p}/host ended the session`));
    });

    it('capability notifications reach the SDK client (tools/list_changed and resources/updated), from host and raw device', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/raw`);
      const h = await host(`${p}/host`);
      const c = await client(p);
      for (const [s, notify] of [
        [await c.session(`${p}/host`), async () => {
          await h.notifyCapability('notifications/tools/list_changed');
          await h.notifyCapability('notifications/resources/updated', { uri: 'test://whoami' });
        }],
        [await c.session(`${p}/raw`), async () => {
          await d.notifyToolsChanged();
          await d.notifyResourceUpdated('device://status');
        }],
      ] as const) {
        let listChanged = 0;
        const uris: string[] = [];
        s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
        s.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void uris.push(n.params.uri));
        await notify();
        await waitUntil(() => listChanged === 1 && uris.length === 1, `notifications from ${s.serverName}`);
        assert.match(uris[0] ?? '', /^(test|device):\/\//);
      }
    });

    it('an SDK Server notification goes once on the capability topic, whatever the number of clients', async () => {
      const p = `t${uid()}`;
      const h = await host(`${p}/host`);
      const c1 = await client(p);
      const c2 = await client(p);
      const s1 = await c1.session(`${p}/host`);
      const s2 = await c2.session(`${p}/host`);
      const spy = await connectRawMqtt(broker.url);
      cleanups.push(() => endAsync(spy));
      const seen: string[] = [];
      spy.on('message', (topic) => seen.push(topic));
      await subscribeAsync(spy, { [`$mcp-server/capability/${h.serverId}/${p}/host`]: { qos: 1 }, [`$mcp-rpc/+/${h.serverId}/${p}/host`]: { qos: 1 } });
      let heard = 0;
      for (const s of [s1, s2]) s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard++);
      await h.notifyCapability('notifications/tools/list_changed');
      await waitUntil(() => heard === 2, 'both clients to hear it');
      assert.deepEqual(seen, [`$mcp-server/capability/${h.serverId}/${p}/host`]);
    });

    it('quitting the client tells every server: sessions end server-side and client presence says disconnected', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/raw`);
      const h = await host(`${p}/host`);
      const c = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: TIMEOUTS, serverNameFilters: [`${p}/#`] });
      await c.connect();
      await c.session(`${p}/raw`);
      await c.session(`${p}/host`);
      const spy = await connectRawMqtt(broker.url);
      cleanups.push(() => endAsync(spy));
      const presence: { payload: string; retain: boolean }[] = [];
      spy.on('message', (_t, payload, packet) => presence.push({ payload: payload.toString(), retain: packet.retain }));
      await subscribeAsync(spy, { [`$mcp-client/presence/${c.clientId}`]: { qos: 1 } });
      await c.close();
      await waitUntil(() => h.clientIds.length === 0 && d.clientIds().length === 0, 'servers to drop the client');
      // Each session was de-initialized on its RPC topic first (spec §5.7, as the TS SDK does)...
      assert.ok(d.received.some((m) => m.topic === d.rpcTopic(c.clientId) && m.payload.includes('notifications/disconnected')));
      // ...then the client announced its departure on its presence topic, not retained.
      await waitUntil(() => presence.length === 1, 'the client presence message');
      assert.deepEqual(JSON.parse(presence[0]?.payload ?? '{}'), { jsonrpc: '2.0', method: 'notifications/disconnected' });
      assert.equal(presence[0]?.retain, false);
    });

    it('a client crash (will) makes the servers drop its session', async () => {
      const p = `t${uid()}`;
      const d = await device(`${p}/raw`);
      const h = await host(`${p}/host`);
      const c = await client(p);
      await c.session(`${p}/raw`);
      await c.session(`${p}/host`);
      c.connection.destroy();
      await waitUntil(() => h.clientIds.length === 0 && d.clientIds().length === 0, 'servers to drop the crashed client');
      const will = d.received.find((m) => m.topic === `$mcp-client/presence/${c.clientId}`);
      assert.deepEqual(JSON.parse(will?.payload ?? '{}'), { jsonrpc: '2.0', method: 'notifications/disconnected' });
      assert.equal(will?.retain, false);
    });
  });
}

for (const kind of brokerKinds()) suite(kind);
