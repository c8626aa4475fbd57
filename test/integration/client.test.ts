// McpMqttClient against real brokers: discovery, list/call, several servers and instances, devices that
// deviate from the spec, hostile payloads, the payload size limit, broker-suggested filters, and 10,000
// servers discovered from retained presence. Devices are the independent raw device and McpMqttServerHost.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { McpError, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type BrokerKind, type TestBroker } from '../helpers/brokers.js';
import {
  connectRawMqtt,
  endAsync,
  makeSdkServer,
  publishAsync,
  startRawDevice,
  waitUntil,
  type RawDevice,
  type RawDeviceDeviations,
} from '../fixtures/raw-device.js';
import { McpMqttClient, type McpClientOptions } from '../../src/core/client/mcp-client.js';
import { McpMqttServerHost } from '../../src/core/server/host.js';
import type { NewEvent } from '../../src/core/events/event-log.js';

const TIMEOUTS = { callMs: 3000, listMs: 3000, initializeMs: 3000, pingMs: 3000 };
const uid = (): string => randomBytes(5).toString('hex');

interface Ctx {
  broker: TestBroker;
  cleanups: (() => Promise<unknown> | unknown)[];
}

async function newClient(ctx: Ctx, prefix: string, extra: Partial<McpClientOptions> = {}): Promise<{ client: McpMqttClient; events: NewEvent[] }> {
  const events: NewEvent[] = [];
  const client = new McpMqttClient({
    broker: { url: ctx.broker.url },
    reconnect: false,
    timeouts: TIMEOUTS,
    serverNameFilters: [`${prefix}/#`],
    events: (e) => events.push(e),
    ...extra,
  });
  ctx.cleanups.push(() => client.close());
  await client.connect();
  return { client, events };
}

async function newDevice(ctx: Ctx, serverName: string, deviations?: RawDeviceDeviations, serverId = `raw-${uid()}`): Promise<RawDevice> {
  const device = await startRawDevice({ url: ctx.broker.url, serverId, serverName, description: `raw ${serverName}`, deviations });
  ctx.cleanups.push(() => device.stop());
  return device;
}

async function newHost(ctx: Ctx, serverName: string, serverId = `host-${uid()}`): Promise<McpMqttServerHost> {
  const host = new McpMqttServerHost({
    broker: { url: ctx.broker.url },
    serverId,
    serverName,
    description: `host ${serverName}`,
    reconnect: false,
    createServer: ({ clientId }) => makeSdkServer(serverId, clientId),
  });
  ctx.cleanups.push(() => host.stop());
  await host.start();
  return host;
}

const text = (result: { content?: unknown }): string => {
  const first = (result.content as { type: string; text?: string }[] | undefined)?.[0];
  return first?.text ?? '';
};

function suite(kind: BrokerKind): void {
  describe(`McpMqttClient on ${kind}`, () => {
    const ctx = { cleanups: [] } as unknown as Ctx;
    before(async () => {
      ctx.broker = await startBroker(kind);
    });
    afterEach(async () => {
      for (const c of ctx.cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
    });
    after(async () => {
      await ctx.broker.stop();
    });

    it('discovers a raw device and a server host, then lists, calls and reads on both', async () => {
      const p = `t${uid()}`;
      const device = await newDevice(ctx, `${p}/raw/lamp`);
      const host = await newHost(ctx, `${p}/host/pump`);
      const { client } = await newClient(ctx, p);
      assert.deepEqual(client.registry.servers().map((s) => s.name), [`${p}/host/pump`, `${p}/raw/lamp`]);
      assert.equal(client.registry.get(`${p}/raw/lamp`)?.instances[0]?.description, `raw ${p}/raw/lamp`);

      const raw = await client.session(`${p}/raw/lamp`);
      assert.equal(raw.serverId, device.serverId);
      assert.deepEqual((await raw.listTools()).map((t) => t.name), ['add', 'echo', 'fail', 'slow']);
      assert.equal(text(await raw.callTool('add', { a: 2, b: 40 })), '42');
      assert.equal(text(await raw.callTool('echo', { text: 'héllo 🌡️' })), 'héllo 🌡️');
      const failed = await raw.callTool('fail');
      assert.equal(failed.isError, true);
      assert.match(text(failed), /failed on purpose/);
      assert.deepEqual((await raw.listResources()).map((r) => r.uri), ['device://status', 'device://config']);
      const status = await raw.readResource('device://status');
      assert.deepEqual(JSON.parse((status.contents[0] as { text: string }).text), { ok: true, serverId: device.serverId });
      await raw.ping();
      await assert.rejects(
        raw.client.request({ method: 'vendor/unknown', params: {} }, z.object({})),
        (e: unknown) => e instanceof McpError && e.code === -32601,
      );
      // The device saw our user properties on every publish (spec §3).
      const rpcIn = device.received.filter((m) => m.topic === device.rpcTopic(client.clientId));
      assert.ok(rpcIn.length >= 8);
      for (const m of rpcIn) {
        assert.equal(m.userProperties?.['MCP-COMPONENT-TYPE'], 'mcp-client');
        assert.equal(m.userProperties?.['MCP-MQTT-CLIENT-ID'], client.clientId);
      }
      const init = device.received.find((m) => m.topic === device.controlTopic);
      assert.equal(JSON.parse(init?.payload ?? '{}').method, 'initialize');
      assert.equal(init?.userProperties?.['MCP-MQTT-CLIENT-ID'], client.clientId);

      const hosted = await client.session(`${p}/host/pump`);
      assert.equal(text(await hosted.callTool('whoami')), `${host.serverId} ${client.clientId}`);
      assert.equal(text(await hosted.callTool('add', { a: 1, b: 1 })), '2');
      assert.deepEqual(host.clientIds, [client.clientId]);
      // Sessions are reused per name.
      assert.equal(await client.session(`${p}/raw/lamp`), raw);
    });

    it('keeps several servers and several instances of one name apart; sessions pin to an instance', async () => {
      const p = `t${uid()}`;
      const name = `${p}/fleet/pump`;
      const hosts = [await newHost(ctx, name), await newHost(ctx, name), await newHost(ctx, name)];
      const devA = await newDevice(ctx, `${p}/fleet/lamp`);
      const devB = await newDevice(ctx, `${p}/fleet/lamp`);
      await newHost(ctx, `${p}/other`);
      const { client } = await newClient(ctx, p);
      assert.equal(client.registry.size, 3);
      assert.deepEqual(client.registry.get(name)?.instances.map((i) => i.serverId).sort(), hosts.map((h) => h.serverId).sort());

      for (const h of hosts) {
        const s = await client.session(name, { serverId: h.serverId });
        assert.equal(s.serverId, h.serverId);
        assert.equal(text(await s.callTool('whoami')), `${h.serverId} ${client.clientId}`);
        assert.deepEqual(h.clientIds, [client.clientId]);
      }
      const pinned = await client.session(name);
      const first = text(await pinned.callTool('whoami'));
      for (let i = 0; i < 5; i++) assert.equal(text(await pinned.callTool('whoami')), first);

      const a = await client.session(`${p}/fleet/lamp`, { serverId: devA.serverId });
      const b = await client.session(`${p}/fleet/lamp`, { serverId: devB.serverId });
      const read = async (s: typeof a): Promise<string> => JSON.parse(((await s.readResource('device://status')).contents[0] as { text: string }).text).serverId;
      assert.equal(await read(a), devA.serverId);
      assert.equal(await read(b), devB.serverId);
      // Each instance only ever received traffic on its own topics.
      for (const [dev, other] of [
        [devA, devB],
        [devB, devA],
      ] as const) {
        const rpc = dev.received.filter((m) => m.topic.startsWith('$mcp-rpc/'));
        assert.ok(rpc.length > 0);
        assert.ok(rpc.every((m) => m.topic === dev.rpcTopic(client.clientId)));
        assert.ok(dev.received.every((m) => !m.topic.includes(other.serverId)));
      }
      assert.deepEqual(devA.clientIds(), [client.clientId]);
    });

    it('re-initializes against another instance after the pinned one stops', async () => {
      const p = `t${uid()}`;
      const name = `${p}/pair`;
      const h1 = await newHost(ctx, name);
      const h2 = await newHost(ctx, name);
      const { client } = await newClient(ctx, p);
      const s1 = await client.session(name, { serverId: h1.serverId });
      await h1.stop();
      await waitUntil(() => s1.closed, 'the session with the stopped instance to end');
      await waitUntil(() => client.registry.get(name)?.instances.length === 1, 'the stopped instance to leave the registry');
      const s2 = await client.session(name);
      assert.equal(s2.serverId, h2.serverId);
      assert.equal(text(await s2.callTool('add', { a: 3, b: 4 })), '7');
    });

    describe('devices that deviate from the spec', () => {
      it('tolerates {pong:true}, missing user properties, a 2024-11-05 answer, a missing server_name and session expiry 10', async () => {
        const p = `t${uid()}`;
        const all: RawDeviceDeviations = { pongTrue: true, noUserProperties: true, protocolVersion2024: true, noServerNameInPresence: true, sessionExpiry10: true };
        const device = await newDevice(ctx, `${p}/old/fw`, all);
        const { client, events } = await newClient(ctx, p);
        assert.equal(client.registry.get(`${p}/old/fw`)?.instances[0]?.serverId, device.serverId);
        const s = await client.session(`${p}/old/fw`);
        await s.ping();
        assert.equal(text(await s.callTool('add', { a: 1, b: 2 })), '3');
        assert.deepEqual(
          events.filter((e) => e.kind === 'error'),
          [],
          'tolerated deviations are not errors',
        );
        // The ping really was answered with {pong:true}: the transport normalised it for the SDK.
        const pong = events.find((e) => e.kind === 'response' && e.direction === 'in' && JSON.stringify(e.payload).includes('pong'));
        assert.ok(pong === undefined || JSON.stringify(pong.payload).includes('pong'));
      });

      for (const deviation of ['pongTrue', 'noUserProperties', 'protocolVersion2024', 'noServerNameInPresence', 'sessionExpiry10', 'wrongUnknownMethodCode'] as const) {
        it(`works end to end with a device that has only ${deviation}`, async () => {
          const p = `t${uid()}`;
          await newDevice(ctx, `${p}/d`, { [deviation]: true });
          const { client } = await newClient(ctx, p);
          const s = await client.session(`${p}/d`);
          await s.ping();
          assert.deepEqual((await s.listTools()).map((t) => t.name), ['add', 'echo', 'fail', 'slow']);
          assert.equal(text(await s.callTool('add', { a: 20, b: 22 })), '42');
          const unknown = await s.client.request({ method: 'vendor/unknown', params: {} }, z.object({})).then(
            () => undefined,
            (e: unknown) => (e instanceof McpError ? e.code : 'not an McpError'),
          );
          assert.equal(unknown, deviation === 'wrongUnknownMethodCode' ? -32600 : -32601);
        });
      }

      it('talks to a device on the legacy $mcp-rpc-endpoint and list-changed topics', async () => {
        const p = `t${uid()}`;
        const device = await newDevice(ctx, `${p}/legacy`, { legacyTopics: true });
        const { client } = await newClient(ctx, p);
        const s = await client.session(`${p}/legacy`);
        assert.equal(text(await s.callTool('add', { a: 5, b: 5 })), '10');
        await s.ping();
        const changed = new Promise<void>((resolve) => s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
        const updated = new Promise<string>((resolve) =>
          s.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)),
        );
        await device.notifyToolsChanged();
        await device.notifyResourceUpdated('device://status');
        await changed;
        assert.equal(await updated, 'device://status');
      });

      it('delivers capability notifications a device sends on the RPC topic', async () => {
        const p = `t${uid()}`;
        const device = await newDevice(ctx, `${p}/caprpc`, { capabilityOnRpc: true });
        const { client } = await newClient(ctx, p);
        const s = await client.session(`${p}/caprpc`);
        const changed = new Promise<void>((resolve) => s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
        await device.notifyToolsChanged();
        await changed;
      });

      it('fails initialize with a clear error when the device answers on its control topic', async () => {
        const p = `t${uid()}`;
        await newDevice(ctx, `${p}/ctl`, { initializeAnsweredOnControl: true });
        const { client } = await newClient(ctx, p, { timeouts: { ...TIMEOUTS, initializeMs: 500 } });
        await assert.rejects(client.session(`${p}/ctl`), /initialize with .*\/ctl .*failed/);
      });

      it('only discovers a device with non-retained presence while already subscribed', async () => {
        const p = `t${uid()}`;
        const { client: early } = await newClient(ctx, p);
        await newDevice(ctx, `${p}/shy`, { presenceNotRetained: true });
        await waitUntil(() => early.registry.get(`${p}/shy`)?.online === true, 'the early client to see the device');
        const { client: late } = await newClient(ctx, p);
        assert.equal(late.registry.get(`${p}/shy`), undefined);
      });

      it('a crashed device with a non-retained will: live clients see it go, later clients still find its stale presence', async () => {
        const p = `t${uid()}`;
        const device = await newDevice(ctx, `${p}/esp`, { willNotRetained: true });
        const { client } = await newClient(ctx, p);
        const s = await client.session(`${p}/esp`);
        const call = s.callTool('slow', { ms: 60_000 }, { timeoutMs: 20_000 });
        await device.waitFor((m) => m.payload.includes('"tools/call"'));
        device.crash();
        // The will still reaches current subscribers (an empty publish), so the pending call fails fast...
        await assert.rejects(call, /esp went offline/);
        assert.equal(client.registry.get(`${p}/esp`)?.online, false);
        // ...but it does not delete the retained presence, so a later client discovers a device that is gone.
        const { client: fresh } = await newClient(ctx, p);
        assert.equal(fresh.registry.get(`${p}/esp`)?.online, true, 'the stale retained presence is still there');
        await assert.rejects(fresh.session(`${p}/esp`), /initialize .* failed/);
      });
    });

    it('accepts any name that is valid in a topic: empty levels, a trailing slash, spaces, unicode', async () => {
      const p = `t${uid()}`;
      const names = [`${p}/a//b`, `${p}/trailing/`, `${p}/ESP32 Demo Server`, `${p}/温度/🌡️`];
      for (const n of names) await newDevice(ctx, n);
      const { client } = await newClient(ctx, p);
      assert.deepEqual(client.registry.servers().map((s) => s.name).sort(), [...names].sort());
      for (const n of names) {
        const s = await client.session(n);
        assert.equal(text(await s.callTool('echo', { text: n })), n);
      }
    });

    it('turns malformed presence into error events and never throws', async () => {
      const p = `t${uid()}`;
      const { client, events } = await newClient(ctx, p, { serverNameFilters: ['#'] });
      const handlerErrors: unknown[] = [];
      client.connection.on('handlerError', (_t: string, e: unknown) => handlerErrors.push(e));
      const raw = await connectRawMqtt(ctx.broker.url);
      try {
        const bad: [string, string][] = [
          [`$mcp-server/presence/s1/${p}/notjson`, '{"jsonrpc":'],
          [`$mcp-server/presence/s2/${p}/array`, '[1,2,3]'],
          [`$mcp-server/presence/s3/${p}/method`, '{"jsonrpc":"2.0","method":"notifications/disconnected"}'],
          [`$mcp-server/presence/s4/${p}/string`, '"online"'],
          [`$mcp-server/presence/${p}-noname`, '{"jsonrpc":"2.0","method":"notifications/server/online","params":{}}'],
          [`$mcp-server/presence/${p}-emptyname/`, '{"jsonrpc":"2.0","method":"notifications/server/online","params":{}}'],
        ];
        for (const [topic, payload] of bad) await publishAsync(raw, topic, payload);
        await publishAsync(raw, `$mcp-server/presence/s5/${p}/good`, '{"jsonrpc":"2.0","method":"notifications/server/online","params":{"description":"ok"}}');
        await waitUntil(() => client.registry.get(`${p}/good`)?.online === true, 'the good presence');
        await waitUntil(() => events.filter((e) => e.kind === 'error' && String(e.topic ?? '').includes(p)).length >= bad.length, 'an error event per bad presence');
        for (const [topic] of bad) {
          assert.ok(
            events.some((e) => e.kind === 'error' && e.topic === topic),
            `an error event for ${topic}`,
          );
        }
        for (const name of ['notjson', 'array', 'method', 'string']) assert.equal(client.registry.get(`${p}/${name}`), undefined);
        assert.deepEqual(handlerErrors, []);
      } finally {
        await endAsync(raw);
      }
    });

    it('turns malformed RPC payloads into error events and keeps the session working', async () => {
      const p = `t${uid()}`;
      const device = await newDevice(ctx, `${p}/victim`);
      const { client, events } = await newClient(ctx, p);
      const handlerErrors: unknown[] = [];
      client.connection.on('handlerError', (_t: string, e: unknown) => handlerErrors.push(e));
      const s = await client.session(`${p}/victim`);
      const raw = await connectRawMqtt(ctx.broker.url);
      try {
        const topic = `$mcp-rpc/${client.clientId}/${device.serverId}/${p}/victim`;
        const garbage = ['not json at all', '[{"jsonrpc":"2.0","id":1,"result":{}}]', '{"jsonrpc":"2.0"}', '{"jsonrpc":"2.0","id":1,"error":"boom"}', 'null', '', '\u0000\u0001'];
        for (const g of garbage) await publishAsync(raw, topic, g);
        // A response for an id nobody asked, and a notification nobody handles: tolerated.
        await publishAsync(raw, topic, '{"jsonrpc":"2.0","id":99999,"result":{}}');
        await publishAsync(raw, topic, '{"jsonrpc":"2.0","method":"vendor/whatever"}');
        await waitUntil(() => events.filter((e) => e.kind === 'error' && e.topic === topic).length >= garbage.length, 'an error event per malformed payload');
        assert.equal(s.closed, false);
        assert.equal(text(await s.callTool('add', { a: 1, b: 1 })), '2');
        assert.deepEqual(handlerErrors, []);
      } finally {
        await endAsync(raw);
      }
    });

    it('drops a payload above maxPayloadBytes with an event, and keeps going', async () => {
      const p = `t${uid()}`;
      const { client, events } = await newClient(ctx, p, { maxPayloadBytes: 1024 });
      const raw = await connectRawMqtt(ctx.broker.url);
      try {
        const big = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { description: 'x'.repeat(2000) } });
        await publishAsync(raw, `$mcp-server/presence/big1/${p}/big`, big);
        await publishAsync(raw, `$mcp-server/presence/small1/${p}/small`, '{"jsonrpc":"2.0","method":"notifications/server/online","params":{"description":"s"}}');
        await waitUntil(() => client.registry.get(`${p}/small`)?.online === true, 'the small presence');
        const dropped = events.find((e) => e.kind === 'error' && e.topic === `$mcp-server/presence/big1/${p}/big`);
        assert.ok(dropped, 'a dropped event');
        assert.equal(dropped.size, Buffer.byteLength(big));
        assert.equal(client.registry.get(`${p}/big`), undefined);

        // Also on a session's RPC topic: the big response is dropped, the call fails by its timeout, the next works.
        const device = await newDevice(ctx, `${p}/dev`);
        await waitUntil(() => client.registry.get(`${p}/dev`)?.online === true, 'the device');
        const s = await client.session(`${p}/dev`);
        await assert.rejects(s.callTool('echo', { text: 'y'.repeat(3000) }, { timeoutMs: 500 }), /timed out/i);
        assert.ok(events.some((e) => e.kind === 'error' && e.topic === device.rpcTopic(client.clientId) && (e.size ?? 0) > 3000));
        assert.equal(text(await s.callTool('echo', { text: 'ok' })), 'ok');
      } finally {
        await endAsync(raw);
      }
    });

    it('discovers 10,000 servers from retained presence', async () => {
      const p = `t${uid()}`;
      const total = 10_000;
      const publishers = await Promise.all([0, 1, 2, 3].map(() => connectRawMqtt(ctx.broker.url)));
      const topicOf = (i: number): string => `$mcp-server/presence/s${i}/${p}/dev/${i}`;
      try {
        await Promise.all(
          publishers.map(async (pub, k) => {
            for (let i = k; i < total; i += publishers.length) {
              pub.publish(topicOf(i), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: `${p}/dev/${i}`, description: `d${i}` } }), { qos: 0, retain: true });
            }
            // In-order delivery: once a QoS 1 publish is acknowledged, the QoS 0 ones before it were processed.
            await publishAsync(pub, `${p}/barrier`, 'x');
          }),
        );
        const { client } = await newClient(ctx, p);
        assert.equal(client.registry.onlineCount, total);
        assert.equal(client.registry.size, total);
        assert.equal(client.registry.get(`${p}/dev/1234`)?.instances[0]?.description, 'd1234');
      } finally {
        await Promise.all(
          publishers.map(async (pub, k) => {
            for (let i = k; i < total; i += publishers.length) pub.publish(topicOf(i), '', { qos: 0, retain: true });
            await publishAsync(pub, `${p}/barrier`, 'x');
            await endAsync(pub);
          }),
        );
      }
    });

    it('works with the independent device: discovery on connect, then presence changes live', async () => {
      const p = `t${uid()}`;
      const { client } = await newClient(ctx, p);
      assert.equal(client.registry.size, 0);
      const device = await newDevice(ctx, `${p}/late`);
      await waitUntil(() => client.registry.get(`${p}/late`)?.online === true, 'live discovery');
      const s = await client.session(`${p}/late`);
      assert.equal(text(await s.callTool('add', { a: -1, b: 1 })), '0');
      await device.stop();
      await waitUntil(() => client.registry.get(`${p}/late`)?.online === false, 'the device to go offline');
      await waitUntil(() => s.closed, 'the session to end');
      await assert.rejects(client.session(`${p}/late`), /offline/);
      await assert.rejects(client.session(`${p}/never`), /no server named/);
    });
  });
}

for (const kind of brokerKinds()) suite(kind);

describe('broker-suggested names and filters (embedded broker acting as the EMQX MCP gateway)', () => {
  let broker: TestBroker;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  before(async () => {
    broker = await startBroker('embedded', {
      connackUserProperties: ({ clientId, userProperties }): Record<string, string> | undefined => {
        if (userProperties['MCP-COMPONENT-TYPE'] === 'mcp-client') {
          if (clientId.startsWith('badfilters-')) return { 'MCP-SERVER-NAME-FILTERS': '["gw/lab/#","gw/#/broken"]' };
          return { 'MCP-SERVER-NAME-FILTERS': '["gw/lab/#","gw/plant/+/pump"]', 'MCP-RBAC': '[{"server_name":"gw/lab/a","role_name":"viewer"}]' };
        }
        if (userProperties['MCP-COMPONENT-TYPE'] === 'mcp-server' && clientId.startsWith('assigned-')) return { 'MCP-SERVER-NAME': 'gw/lab/assigned' };
        return undefined;
      },
    });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
  });
  after(async () => broker.stop());

  it('subscribes with every suggested filter and discovers only matching servers', async () => {
    for (const name of ['gw/lab/a', 'gw/lab/b/c', 'gw/plant/1/pump', 'gw/plant/1/valve', 'gw/other/x']) {
      const d = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: name });
      cleanups.push(() => d.stop());
    }
    const client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: TIMEOUTS, serverNameFilters: ['#'] });
    cleanups.push(() => client.close());
    await client.connect();
    assert.deepEqual([...client.serverNameFilters], ['gw/lab/#', 'gw/plant/+/pump']);
    assert.deepEqual(client.rbacAssignments, [{ serverName: 'gw/lab/a', roleName: 'viewer' }]);
    assert.deepEqual(client.registry.servers().map((s) => s.name), ['gw/lab/a', 'gw/lab/b/c', 'gw/plant/1/pump']);
    const s = await client.session('gw/plant/1/pump');
    assert.equal(text(await s.callTool('add', { a: 1, b: 2 })), '3');
  });

  it('reports an invalid suggested filter and still connects with the valid ones', async () => {
    const d = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: 'gw/lab/z' });
    cleanups.push(() => d.stop());
    const events: NewEvent[] = [];
    const client = new McpMqttClient({ broker: { url: broker.url }, clientId: `badfilters-${uid()}`, reconnect: false, events: (e) => events.push(e) });
    cleanups.push(() => client.close());
    await client.connect();
    assert.deepEqual([...client.serverNameFilters], ['gw/lab/#']);
    assert.ok(events.some((e) => e.kind === 'error' && /gw\/#\/broken/.test(e.summary)));
    assert.equal(client.registry.get('gw/lab/z')?.online, true);
  });

  it('a server host adopts the name the broker assigns, and its will clears that name', async () => {
    const serverId = `assigned-${uid()}`;
    const host = new McpMqttServerHost({
      broker: { url: broker.url },
      serverId,
      serverName: 'configured/name',
      description: 'assigned',
      reconnect: false,
      createServer: ({ clientId }) => makeSdkServer(serverId, clientId),
    });
    cleanups.push(() => host.stop());
    await host.start();
    assert.equal(host.serverName, 'gw/lab/assigned');
    const client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: TIMEOUTS });
    cleanups.push(() => client.close());
    await client.connect();
    assert.equal(client.registry.get('gw/lab/assigned')?.instances[0]?.serverId, serverId);
    assert.equal(client.registry.get('configured/name'), undefined);
    const s = await client.session('gw/lab/assigned');
    assert.equal(text(await s.callTool('whoami')), `${serverId} ${client.clientId}`);
    host.crash();
    await waitUntil(() => client.registry.get('gw/lab/assigned')?.online === false, 'the will to clear the assigned presence');
  });
});
