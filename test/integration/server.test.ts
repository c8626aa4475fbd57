// McpMqttServerHost checked from the wire by a hand-written MQTT client (no project code on the client side):
// presence, initialize ordering and topics, user properties, hostile input, teardown, will and re-announce.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { brokerKinds, startBroker, type BrokerKind, type TestBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, makeSdkServer, publishAsync, subscribeAsync, waitUntil } from '../fixtures/raw-device.js';
import { McpMqttServerHost, type ServerHostOptions } from '../../src/core/server/host.js';
import type { NewEvent } from '../../src/core/events/event-log.js';

const uid = (): string => randomBytes(5).toString('hex');

interface Seen {
  topic: string;
  payload: string;
  json: Record<string, unknown> | undefined;
  retain: boolean;
  userProperties: Record<string, string | string[]> | undefined;
}

/** A raw MCP client: plain MQTT.js, hand-written JSON-RPC. */
class WireClient {
  readonly seen: Seen[] = [];
  private constructor(
    readonly mqtt: MqttClient,
    readonly clientId: string,
  ) {
    mqtt.on('message', (topic, payload, packet) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      this.seen.push({ topic, payload: payload.toString(), json, retain: packet.retain, userProperties: packet.properties?.userProperties });
    });
  }
  static async connect(url: string, clientId = `wire-${uid()}`): Promise<WireClient> {
    const client = await connectRawMqtt(url, clientId, {
      properties: { sessionExpiryInterval: 0, userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-META': '{}' } },
      will: {
        topic: `$mcp-client/presence/${clientId}`,
        payload: Buffer.from('{"jsonrpc":"2.0","method":"notifications/disconnected"}'),
        qos: 0,
        retain: false,
      },
    });
    return new WireClient(client, clientId);
  }
  props(): Record<string, string> {
    return { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-MQTT-CLIENT-ID': this.clientId };
  }
  rpc(h: McpMqttServerHost): string {
    return `$mcp-rpc/${this.clientId}/${h.serverId}/${h.serverName}`;
  }
  send(topic: string, message: Record<string, unknown> | string, props: Record<string, string> | null = this.props()): Promise<void> {
    const payload = typeof message === 'string' ? message : JSON.stringify({ jsonrpc: '2.0', ...message });
    return publishAsync(this.mqtt, topic, payload, props ? { properties: { userProperties: props } } : {});
  }
  /** Writes several publishes back to back without waiting (they reach the broker in one burst). */
  burst(messages: [string, Record<string, unknown>][]): Promise<void> {
    return Promise.all(messages.map(([t, m]) => this.send(t, m))).then(() => undefined);
  }
  async prepare(h: McpMqttServerHost): Promise<void> {
    await subscribeAsync(this.mqtt, { [this.rpc(h)]: { qos: 1, nl: true }, [`$mcp-server/capability/${h.serverId}/${h.serverName}`]: { qos: 1 } });
  }
  async initialize(h: McpMqttServerHost, id: number | string = 1): Promise<Seen> {
    await this.send(`$mcp-server/${h.serverId}/${h.serverName}`, {
      id,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'wire', version: '0' } },
    });
    return this.response(id);
  }
  async response(id: number | string, timeoutMs = 5000): Promise<Seen> {
    let found: Seen | undefined;
    await waitUntil(() => (found = this.seen.find((s) => s.json?.id === id && ('result' in s.json || 'error' in s.json))) !== undefined, `response #${id}`, timeoutMs);
    return found as Seen;
  }
  close(): Promise<void> {
    return endAsync(this.mqtt);
  }
}

function suite(kind: BrokerKind): void {
  describe(`McpMqttServerHost on ${kind}, seen from the wire`, () => {
    let broker: TestBroker;
    const cleanups: (() => Promise<unknown> | unknown)[] = [];
    before(async () => {
      broker = await startBroker(kind);
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
    });
    after(async () => broker.stop());

    async function host(extra: Partial<ServerHostOptions> = {}): Promise<{ h: McpMqttServerHost; events: NewEvent[]; servers: Map<string, Server> }> {
      const events: NewEvent[] = [];
      const servers = new Map<string, Server>();
      const serverId = `host-${uid()}`;
      const h = new McpMqttServerHost({
        broker: { url: broker.url },
        serverId,
        serverName: `t${uid()}/svc`,
        description: 'wire test',
        meta: { location: 'lab' },
        reconnect: false,
        events: (e) => events.push(e),
        createServer: ({ clientId }) => {
          const s = makeSdkServer(serverId, clientId);
          servers.set(clientId, s);
          return s;
        },
        ...extra,
      });
      cleanups.push(() => h.stop());
      await h.start();
      return { h, events, servers };
    }
    async function wire(): Promise<WireClient> {
      const w = await WireClient.connect(broker.url);
      cleanups.push(() => w.close());
      return w;
    }
    async function retainedPresence(h: McpMqttServerHost): Promise<Seen[]> {
      const w = await wire();
      await subscribeAsync(w.mqtt, { [`$mcp-server/presence/+/${h.serverName}`]: { qos: 1 } });
      // A round trip after the SUBACK: anything retained has been delivered by then.
      await subscribeAsync(w.mqtt, { [`sync/${uid()}`]: { qos: 1 } });
      await publishAsync(w.mqtt, `$mcp-sync-probe/${uid()}`, 'x');
      // Only retained copies: a live publish racing the subscription says nothing about what is stored.
      return w.seen.filter((s) => s.topic.startsWith('$mcp-server/presence/') && s.retain);
    }

    it('publishes retained presence with the spec fields and user properties', async () => {
      const { h } = await host();
      const seen = await retainedPresence(h);
      assert.equal(seen.length, 1);
      const [p] = seen;
      assert.equal(p?.topic, `$mcp-server/presence/${h.serverId}/${h.serverName}`);
      assert.equal(p?.retain, true);
      assert.deepEqual(p?.json, {
        jsonrpc: '2.0',
        method: 'notifications/server/online',
        params: { server_name: h.serverName, description: 'wire test', meta: { location: 'lab' } },
      });
      assert.deepEqual({ ...p?.userProperties }, { 'MCP-COMPONENT-TYPE': 'mcp-server', 'MCP-MQTT-CLIENT-ID': h.serverId });
    });

    it('answers initialize on the RPC topic, subscribed to the client topics before answering', async () => {
      const { h, events } = await host();
      const w = await wire();
      await w.prepare(h);
      await subscribeAsync(w.mqtt, { [`$mcp-server/${h.serverId}/${h.serverName}`]: { qos: 1, nl: true } });
      const init = await w.initialize(h, 'init-1');
      assert.equal(init.topic, w.rpc(h));
      const result = init.json?.result as { protocolVersion: string; serverInfo: { name: string }; capabilities: Record<string, unknown> };
      assert.equal(result.protocolVersion, '2025-06-18');
      assert.equal(result.serverInfo.name, `host-${h.serverId}`);
      assert.ok(result.capabilities.tools);
      assert.deepEqual({ ...init.userProperties }, { 'MCP-COMPONENT-TYPE': 'mcp-server', 'MCP-MQTT-CLIENT-ID': h.serverId });
      assert.ok(!w.seen.some((s) => s.topic === `$mcp-server/${h.serverId}/${h.serverName}` && s.json?.result), 'nothing answered on the control topic');
      // Right after the response, in one burst: initialized, a request, and a ping. All answered.
      await w.burst([
        [w.rpc(h), { method: 'notifications/initialized' }],
        [w.rpc(h), { id: 2, method: 'tools/list' }],
        [w.rpc(h), { id: 3, method: 'ping' }],
      ]);
      const tools = await w.response(2);
      assert.deepEqual((tools.json?.result as { tools: { name: string }[] }).tools.map((t) => t.name), ['add', 'whoami', 'slow']);
      assert.deepEqual((await w.response(3)).json?.result, {});
      await w.send(w.rpc(h), { id: 4, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
      assert.deepEqual((await w.response(4)).json?.result, { content: [{ type: 'text', text: `${h.serverId} ${w.clientId}` }] });
      await w.send(w.rpc(h), { id: 5, method: 'vendor/nope' });
      assert.equal(((await w.response(5)).json?.error as { code: number }).code, -32601);
      assert.deepEqual(h.clientIds, [w.clientId]);
      assert.ok(events.some((e) => e.kind === 'session' && e.clientId === w.clientId));
      // Every server publish carried the two user properties.
      for (const s of w.seen.filter((x) => x.topic === w.rpc(h))) assert.equal(s.userProperties?.['MCP-MQTT-CLIENT-ID'], h.serverId);
    });

    it('ignores an initialize without MCP-MQTT-CLIENT-ID, and non-initialize or malformed control messages, with events', async () => {
      const { h, events } = await host();
      const w = await wire();
      await w.prepare(h);
      const control = `$mcp-server/${h.serverId}/${h.serverName}`;
      await w.send(control, { id: 1, method: 'initialize', params: {} }, null);
      await w.send(control, { id: 2, method: 'initialize', params: {} }, { 'MCP-MQTT-CLIENT-ID': 'bad/id' });
      await w.send(control, { id: 3, method: 'tools/list' });
      await w.send(control, 'not json');
      await w.send(control, '[1]');
      await waitUntil(() => events.filter((e) => e.kind === 'error' && e.topic === control).length >= 5, 'an error event per bad control message');
      assert.deepEqual(h.clientIds, []);
      assert.equal(w.seen.length, 0, 'nothing was answered');
      // The host still works.
      const init = await w.initialize(h, 10);
      assert.ok(init.json?.result);
    });

    it('turns malformed RPC payloads into events and keeps the session', async () => {
      const { h, events } = await host();
      const w = await wire();
      await w.prepare(h);
      await w.initialize(h);
      for (const bad of ['{', '[]', '{"jsonrpc":"2.0"}', '"x"', '', '{"jsonrpc":"2.0","id":7,"error":{}}']) await w.send(w.rpc(h), bad);
      await waitUntil(() => events.filter((e) => e.kind === 'error' && e.topic === w.rpc(h)).length >= 6, 'an error event per bad payload');
      await w.send(w.rpc(h), { id: 8, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
      assert.deepEqual((await w.response(8)).json?.result, { content: [{ type: 'text', text: '3' }] });
    });

    it('drops an initialize above maxPayloadBytes with an event', async () => {
      const { h, events } = await host({ maxPayloadBytes: 512 });
      const w = await wire();
      await w.prepare(h);
      const control = `$mcp-server/${h.serverId}/${h.serverName}`;
      await w.send(control, { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x'.repeat(1000), version: '0' } } });
      await waitUntil(() => events.some((e) => e.kind === 'error' && e.topic === control), 'an event for the dropped message', 3000);
      assert.deepEqual(h.clientIds, []);
    });

    it('drops a client on notifications/disconnected (RPC topic, presence topic, empty presence, will)', async () => {
      const { h } = await host();
      const ws = [await wire(), await wire(), await wire(), await wire()];
      for (const w of ws) {
        await w.prepare(h);
        await w.initialize(h);
      }
      assert.equal(h.clientIds.length, 4);
      const [a, b, c, d] = ws as [WireClient, WireClient, WireClient, WireClient];
      await a.send(a.rpc(h), { method: 'notifications/disconnected' });
      await b.send(`$mcp-client/presence/${b.clientId}`, { method: 'notifications/disconnected' });
      await c.send(`$mcp-client/presence/${c.clientId}`, '');
      (d.mqtt.stream as unknown as { destroy(): void }).destroy();
      await waitUntil(() => h.clientIds.length === 0, 'every client to be dropped');
      // A dropped client's later request is not answered: the host unsubscribed its RPC topic.
      await a.send(a.rpc(h), { id: 99, method: 'ping' });
      await b.send(b.rpc(h), { id: 99, method: 'ping' });
      await assert.rejects(a.response(99, 300), /timed out/);
      await assert.rejects(b.response(99, 10), /timed out/);
    });

    it('keeps a new session when a client de-initializes and re-initializes in one burst', async () => {
      const { h } = await host();
      const w = await wire();
      await w.prepare(h);
      await w.initialize(h, 1);
      await w.burst([
        [w.rpc(h), { method: 'notifications/disconnected' }],
        [`$mcp-server/${h.serverId}/${h.serverName}`, { id: 2, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'wire', version: '0' } } }],
      ]);
      await w.response(2);
      await w.send(w.rpc(h), { method: 'notifications/initialized' });
      await w.send(w.rpc(h), { id: 3, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } });
      assert.deepEqual((await w.response(3)).json?.result, { content: [{ type: 'text', text: '5' }] });
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(h.clientIds, [w.clientId]);
    });

    it('sends SDK list_changed on the capability topic and server-to-client requests on the RPC topic', async () => {
      const { h, servers } = await host();
      const w = await wire();
      await w.prepare(h);
      await w.initialize(h);
      await w.send(w.rpc(h), { method: 'notifications/initialized' });
      const server = servers.get(w.clientId);
      assert.ok(server);
      await server.sendToolListChanged();
      await waitUntil(() => w.seen.some((s) => s.json?.method === 'notifications/tools/list_changed'), 'list_changed');
      const notif = w.seen.find((s) => s.json?.method === 'notifications/tools/list_changed');
      assert.equal(notif?.topic, `$mcp-server/capability/${h.serverId}/${h.serverName}`);
      // Server → client ping: the request comes on the RPC topic; the wire client answers; the SDK server resolves.
      const pinged = server.ping();
      await waitUntil(() => w.seen.some((s) => s.json?.method === 'ping'), 'the server ping');
      const req = w.seen.find((s) => s.json?.method === 'ping');
      assert.equal(req?.topic, w.rpc(h));
      await w.send(w.rpc(h), { id: req?.json?.id as number, result: {} });
      assert.deepEqual(await pinged, {});
    });

    it('server deinitialize: notifications/disconnected on the RPC topic, then the client is dropped', async () => {
      const { h } = await host();
      const w = await wire();
      await w.prepare(h);
      await w.initialize(h);
      await h.deinitialize(w.clientId);
      const bye = w.seen.find((s) => s.json?.method === 'notifications/disconnected');
      assert.equal(bye?.topic, w.rpc(h));
      assert.deepEqual(h.clientIds, []);
    });

    it('crash: the will deletes the retained presence; graceful stop clears it before disconnecting', async () => {
      const a = await host();
      const b = await host();
      const spy = await wire();
      await subscribeAsync(spy.mqtt, { [`$mcp-server/presence/+/${a.h.serverName}`]: { qos: 1 }, [`$mcp-server/presence/+/${b.h.serverName}`]: { qos: 1 } });
      await waitUntil(() => spy.seen.length === 2, 'both retained presences');
      a.h.crash();
      await b.h.stop();
      await waitUntil(() => spy.seen.filter((s) => s.payload === '').length === 2, 'both presences to be cleared');
      assert.deepEqual(await retainedPresence(a.h), []);
      assert.deepEqual(await retainedPresence(b.h), []);
    });

    it('re-announces presence after the broker comes back', async () => {
      const { h } = await host({ reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
      await broker.restart?.();
      let seen: Seen[] = [];
      await waitUntil(() => h.isRunning, 'the host');
      for (let i = 0; i < 100 && seen.length === 0; i++) {
        seen = await retainedPresence(h).catch(() => []);
        if (seen.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.retain, true);
      assert.equal(seen[0]?.json?.method, 'notifications/server/online');
    });
  });
}

for (const kind of brokerKinds()) suite(kind);
