// The Streamable HTTP gateway against real brokers: the official SDK Client over StreamableHTTPClientTransport
// reaches a hosted SDK McpServer and the independent raw device through it. Auth, Host/Origin and unknown
// paths are checked with plain HTTP requests.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, McpError, ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { startRawDevice, waitUntil, type RawDevice } from '../fixtures/raw-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { NewEvent } from '../../src/core/events/event-log.js';
import { McpGateway, serverNameFromPath, toolListHash, UNTRUSTED_DEVICE_NOTE, type GatewayAddress } from '../../src/core/gateway/index.js';
import { progressBeforeResult, recordIncoming, startHostedDevice, textOf, type HostedDevice } from './gateway-devices.js';

const uid = (): string => randomBytes(5).toString('hex');

interface Raw {
  status: number;
  body: string;
}

/** A plain HTTP POST with exactly the headers given (fetch would not let a test forge Host). */
function rawPost(url: string, headers: Record<string, string>, body = '{}'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

for (const kind of brokerKinds()) {
  describe(`MCP gateway (Streamable HTTP) on ${kind}`, () => {
    let broker: TestBroker;
    let client: McpMqttClient;
    let gateway: McpGateway;
    let address: GatewayAddress;
    let hosted: HostedDevice;
    let raw: RawDevice;
    const events: NewEvent[] = [];
    const prefix = `gw${uid()}`;
    const hostedName = `${prefix}/hosted/lamp`;
    const rawName = `${prefix}/raw/plug`;
    const cleanups: (() => Promise<unknown>)[] = [];

    async function agent(serverName: string, extra: { sampling?: boolean } = {}): Promise<Client> {
      const c = new Client({ name: 'test-agent', version: '1.0.0' }, { capabilities: extra.sampling ? { sampling: {} } : {} });
      const transport = new StreamableHTTPClientTransport(new URL(gateway.urlFor(serverName)), {
        requestInit: { headers: { Authorization: `Bearer ${address.token}` } },
      });
      await c.connect(transport);
      cleanups.push(async () => {
        await transport.terminateSession().catch(() => undefined);
        await c.close();
      });
      return c;
    }

    before(async () => {
      broker = await startBroker(kind);
      hosted = await startHostedDevice(broker.url, `hosted-${uid()}`, hostedName);
      raw = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: rawName });
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${prefix}/#`], events: (e) => events.push(e) });
      await client.connect();
      gateway = new McpGateway({ client, events: (e) => events.push(e) });
      address = await gateway.start();
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    });
    after(async () => {
      await gateway.stop();
      await client.close();
      await hosted.host.stop();
      await raw.stop();
      await broker.stop();
    });

    it('serves each online server at its own URL', () => {
      assert.deepEqual(
        gateway.servers(),
        [hostedName, rawName].map((name) => ({ name, url: `http://127.0.0.1:${address.port}/mcp/${encodeURIComponent(name)}` })),
      );
      assert.equal(serverNameFromPath(new URL(gateway.urlFor(hostedName)).pathname), hostedName);
      assert.equal(address.baseUrl, `http://127.0.0.1:${address.port}`);
    });

    it('passes list, call, isError and JSON-RPC errors through unchanged (hosted SDK McpServer)', async () => {
      const c = await agent(hostedName);
      // The device's own identity and instructions reach the agent: nothing in between re-declares them. The
      // instructions come after a note that marks all device text as untrusted (README, "Device text").
      assert.equal(c.getServerVersion()?.name, 'hosted-test-device');
      assert.equal(c.getInstructions(), `${UNTRUSTED_DEVICE_NOTE}\n\nThe device's instructions:\nhosted test device`);
      const { tools } = await c.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'ask', 'count', 'fail', 'wait', 'whoami']);
      assert.equal(textOf(await c.callTool({ name: 'add', arguments: { a: 2, b: 40 } })), '42');
      const failed = await c.callTool({ name: 'fail', arguments: {} });
      assert.equal(failed.isError, true);
      assert.equal(textOf(failed), 'failed on purpose');
      await assert.rejects(c.request({ method: 'vendor/unknown', params: {} }, z.object({})), (e: unknown) => e instanceof McpError && e.code === -32601);
      // Agent calls appear on the timeline as the agent's.
      const agentRequests = events.filter((e) => e.kind === 'request' && e.source === 'agent' && e.serverName === hostedName);
      assert.ok(agentRequests.some((e) => e.method === 'tools/call'));
      assert.ok(agentRequests.some((e) => e.method === 'initialize'));
    });

    it('passes list, call, isError and JSON-RPC errors through unchanged (raw device)', async () => {
      const c = await agent(rawName);
      assert.equal(c.getServerVersion()?.name, 'raw-test-device');
      const { tools } = await c.listTools();
      assert.deepEqual(tools.map((t) => t.name), ['add', 'echo', 'fail', 'slow']);
      assert.equal(textOf(await c.callTool({ name: 'echo', arguments: { text: 'héllo 🌡️' } })), 'héllo 🌡️');
      assert.equal((await c.callTool({ name: 'fail', arguments: {} })).isError, true);
      await assert.rejects(c.callTool({ name: 'add', arguments: { a: 'x', b: 1 } }), (e: unknown) => e instanceof McpError && e.code === -32602 && /numbers/.test(e.message));
      const read = await c.readResource({ uri: 'device://status' });
      assert.deepEqual(JSON.parse((read.contents[0] as { text: string }).text), { ok: true, serverId: raw.serverId });
      assert.equal(toolListHash(tools), toolListHash([...tools].reverse() as Tool[]));
    });

    it('gives each agent session its own device session, and two run at once', async () => {
      const [a, b] = await Promise.all([agent(hostedName), agent(hostedName)]);
      const [whoA, whoB] = await Promise.all([a.callTool({ name: 'whoami', arguments: {} }), b.callTool({ name: 'whoami', arguments: {} })]);
      assert.notEqual(textOf(whoA), textOf(whoB));
      assert.ok(hosted.host.clientIds.includes(textOf(whoA)) && hosted.host.clientIds.includes(textOf(whoB)));
      const sums = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).callTool({ name: 'add', arguments: { a: i, b: 1 } })));
      assert.deepEqual(sums.map(textOf), Array.from({ length: 10 }, (_, i) => String(i + 1)));
      assert.equal(gateway.sessionCount, 2);
      await a.close();
    });

    it('ends the device session when the agent ends its session', async () => {
      const transport = new StreamableHTTPClientTransport(new URL(gateway.urlFor(hostedName)), { requestInit: { headers: { Authorization: `Bearer ${address.token}` } } });
      const c = new Client({ name: 'short-lived', version: '1' });
      await c.connect(transport);
      const deviceClientId = textOf(await c.callTool({ name: 'whoami', arguments: {} }));
      await transport.terminateSession();
      await c.close();
      await waitUntil(() => !hosted.host.clientIds.includes(deviceClientId), 'the device to see the session end');
    });

    it('passes progress, sampling requests from the device and cancellation', async () => {
      const c = await agent(hostedName, { sampling: true });
      c.setRequestHandler(CreateMessageRequestSchema, (req) => ({
        role: 'assistant',
        model: 'test-model',
        content: { type: 'text', text: `answer to ${(req.params.messages[0]?.content as { text: string }).text}` },
      }));
      const seen = recordIncoming(c.transport as StreamableHTTPClientTransport);
      const counted = await c.callTool({ name: 'count', arguments: { to: 3 } }, undefined, { onprogress: () => undefined });
      assert.equal(textOf(counted), 'counted to 3');
      assert.deepEqual(progressBeforeResult(seen, (seen.at(-1) as { id: number }).id), [1, 2, 3]);
      assert.equal(textOf(await c.callTool({ name: 'ask', arguments: { question: 'why' } })), 'answer to why');

      const abort = new AbortController();
      const started = hosted.waitStarted();
      const call = c.callTool({ name: 'wait', arguments: {} }, undefined, { signal: abort.signal });
      await started;
      const before = hosted.cancelled;
      abort.abort('user stopped it');
      await assert.rejects(call);
      await waitUntil(() => hosted.cancelled > before, 'the device to see the cancellation');
      // The session is still usable after a cancelled call.
      assert.equal(textOf(await c.callTool({ name: 'add', arguments: { a: 1, b: 1 } })), '2');
    });

    it('delivers list_changed from the device to every agent session', async () => {
      const a = await agent(rawName);
      const b = await agent(hostedName);
      let rawChanged = 0;
      let hostedChanged = 0;
      a.setNotificationHandler(ToolListChangedNotificationSchema, () => void rawChanged++);
      b.setNotificationHandler(ToolListChangedNotificationSchema, () => void hostedChanged++);
      // Keep a request open on each session too: either delivery route (GET stream or a request's stream) must work.
      await raw.notifyToolsChanged();
      await hosted.host.notifyCapability('notifications/tools/list_changed');
      await waitUntil(() => rawChanged === 1 && hostedChanged === 1, 'list_changed at both agents');
    });

    it('refuses a missing or wrong token (401), a foreign Host or Origin (403) and an unknown server (404)', async () => {
      const url = gateway.urlFor(hostedName);
      const auth = { Authorization: `Bearer ${address.token}` };
      const noToken = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: INITIALIZE });
      assert.equal(noToken.status, 401);
      assert.match(((await noToken.json()) as { error: { message: string } }).error.message, /Authorization: Bearer/);
      const wrong = await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer nope', 'Content-Type': 'application/json' }, body: INITIALIZE });
      assert.equal(wrong.status, 401);

      const evilHost = await rawPost(url, { ...auth, Host: `evil.example:${address.port}` }, INITIALIZE);
      assert.equal(evilHost.status, 403);
      const otherPort = await rawPost(url, { ...auth, Host: `127.0.0.1:${address.port + 1}` }, INITIALIZE);
      assert.equal(otherPort.status, 403);
      const evilOrigin = await rawPost(url, { ...auth, Origin: 'http://evil.example' }, INITIALIZE);
      assert.equal(evilOrigin.status, 403);
      assert.match(JSON.parse(evilOrigin.body).error.message, /Origin/);
      for (const host of ['localhost', '[::1]']) {
        const ok = await rawPost(url, { ...auth, Host: `${host}:${address.port}`, Origin: `http://${host}:${address.port}` }, INITIALIZE);
        assert.equal(ok.status, 200, `${host}: ${ok.body}`);
      }

      const unknown = await fetch(gateway.urlFor(`${prefix}/nobody`), { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: INITIALIZE });
      assert.equal(unknown.status, 404);
      const body = (await unknown.json()) as { jsonrpc: string; error: { code: number; message: string } };
      assert.equal(body.jsonrpc, '2.0');
      assert.match(body.error.message, /no MCP server named ".*\/nobody"/);
      const wrongPath = await fetch(`${address.baseUrl}/other`, { method: 'POST', headers: auth, body: INITIALIZE });
      assert.equal(wrongPath.status, 404);
      // The raw initializes above opened sessions; the gateway closes them when it stops.
    });

    it('tells listeners when servers come and go', async () => {
      const name = `${prefix}/late/fan`;
      const seen: string[][] = [];
      const stop = gateway.onDidChangeServers((servers) => seen.push(servers.map((s) => s.name)));
      const late = await startHostedDevice(broker.url, `late-${uid()}`, name);
      await waitUntil(() => seen.some((names) => names.includes(name)), 'the new server in a change event');
      await late.host.stop();
      await waitUntil(() => !(seen.at(-1) ?? [name]).includes(name), 'the server gone in a change event');
      stop();
    });

    it('fails an open call at once with a clear error when the device goes offline, then the session is gone', async () => {
      const name = `${prefix}/flaky/pump`;
      const flaky = await startHostedDevice(broker.url, `flaky-${uid()}`, name);
      await waitUntil(() => client.registry.get(name)?.online === true, 'the flaky device to be discovered');
      const c = await agent(name);
      const started = flaky.waitStarted();
      // A long SDK timeout: only the gateway can end this call early.
      const call = c.callTool({ name: 'wait', arguments: {} }, undefined, { timeout: 120_000 });
      await started;
      flaky.host.crash();
      await assert.rejects(call, (e: unknown) => e instanceof McpError && e.code === -32000 && /went offline/.test(e.message));
      await assert.rejects(c.listTools(), /Session not found: it ended \(.*went offline/);
      // A new session while it is offline gets a clear 404 too.
      const again = await rawPost(gateway.urlFor(name), { Authorization: `Bearer ${address.token}` }, INITIALIZE);
      assert.equal(again.status, 404);
      assert.match(JSON.parse(again.body).error.message, /is offline/);
    });

    it('fails a raw device call at once when the device crashes mid-call', async () => {
      const name = `${prefix}/raw/crashy`;
      const crashy = await startRawDevice({ url: broker.url, serverId: `crashy-${uid()}`, serverName: name });
      await waitUntil(() => client.registry.get(name)?.online === true, 'the raw device to be discovered');
      const c = await agent(name);
      // It crashes as soon as the call arrives, so it never answers; the gateway must not wait for the SDK timeout.
      const call = c.callTool({ name: 'slow', arguments: { ms: 1_000 } }, undefined, { timeout: 120_000 });
      await crashy.waitFor((m) => m.payload.includes('"tools/call"'));
      crashy.crash();
      await assert.rejects(call, (e: unknown) => e instanceof McpError && /went offline/.test(e.message));
    });
  });
}
