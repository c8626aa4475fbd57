// How the gateway answers each POST, seen by the official SDK Client: a plain call gets one application/json
// answer; a call with a progress token, or one during which the device asks the agent something, gets an SSE
// stream. Every call of a session travels on one kept-alive connection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { waitUntil } from '../fixtures/raw-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { McpGateway, type GatewayAddress } from '../../src/core/gateway/index.js';
import { progressBeforeResult, recordIncoming, startHostedDevice, textOf, type HostedDevice } from './gateway-devices.js';

const uid = (): string => randomBytes(5).toString('hex');

interface Answer {
  /** The JSON-RPC method of the POST body, or "(other)" for notifications and answers. */
  method: string;
  status: number;
  contentType: string;
}

/** An SDK Client whose fetch records the Content-Type of the answer to each POST. */
async function recordingAgent(url: string, token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport; answers: Answer[] }> {
  const answers: Answer[] = [];
  const recordingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const res = await fetch(input, init);
    if (init?.method === 'POST') {
      const body = JSON.parse(String(init.body)) as { method?: string; id?: unknown };
      answers.push({ method: body.id !== undefined && body.method ? body.method : '(other)', status: res.status, contentType: res.headers.get('content-type') ?? '' });
    }
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: recordingFetch });
  const client = new Client({ name: 'json-mode-agent', version: '1.0.0' }, { capabilities: { sampling: {} } });
  await client.connect(transport);
  return { client, transport, answers };
}

function rawPost(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
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

for (const kind of brokerKinds()) {
  describe(`gateway answers: JSON for a plain call, SSE when the call streams (${kind})`, () => {
    let broker: TestBroker;
    let client: McpMqttClient;
    let gateway: McpGateway;
    let address: GatewayAddress;
    let hosted: HostedDevice;
    const serverName = `gwjson${uid()}/lamp`;

    before(async () => {
      broker = await startBroker(kind);
      hosted = await startHostedDevice(broker.url, `hosted-${uid()}`, serverName);
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [serverName] });
      await client.connect();
      await waitUntil(() => client.registry.get(serverName)?.online === true, 'the hosted device to be discovered');
      gateway = new McpGateway({ client });
      address = await gateway.start();
    });
    after(async () => {
      await gateway.stop();
      await client.close();
      await hosted.host.stop();
      await broker.stop();
    });

    it('answers a plain call with application/json and a call with a progress token with an SSE stream', async () => {
      const { client: agent, transport, answers } = await recordingAgent(gateway.urlFor(serverName), address.token);
      try {
        assert.equal(textOf(await agent.callTool({ name: 'add', arguments: { a: 2, b: 3 } })), '5');
        const plain = answers.filter((a) => a.method === 'tools/call');
        assert.deepEqual(plain, [{ method: 'tools/call', status: 200, contentType: 'application/json' }]);
        // The agent's session id stays valid on JSON answers: a list goes the same way.
        assert.equal((await agent.listTools()).tools.length, 6);
        assert.equal(answers.at(-1)?.contentType, 'application/json');

        const seen = recordIncoming(transport as unknown as { onmessage?: (m: JSONRPCMessage, extra?: never) => void });
        const counted = await agent.callTool({ name: 'count', arguments: { to: 3 } }, undefined, { onprogress: () => undefined });
        assert.equal(textOf(counted), 'counted to 3');
        assert.equal(answers.at(-1)?.contentType, 'text/event-stream');
        assert.deepEqual(progressBeforeResult(seen, (seen.at(-1) as { id: number }).id), [1, 2, 3]);
      } finally {
        await transport.terminateSession().catch(() => undefined);
        await agent.close();
      }
    });

    it('turns a plain call into an SSE stream when the device asks the agent something during it', async () => {
      const { client: agent, transport, answers } = await recordingAgent(gateway.urlFor(serverName), address.token);
      agent.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', model: 'test-model', content: { type: 'text', text: 'because' } }));
      try {
        assert.equal(textOf(await agent.callTool({ name: 'ask', arguments: { question: 'why' } })), 'because');
        const call = answers.find((a) => a.method === 'tools/call');
        assert.equal(call?.contentType, 'text/event-stream');
        // The agent's answer to the device's question is a POST of a response: accepted without a body.
        assert.ok(answers.some((a) => a.method === '(other)' && a.status === 202));
        // Afterwards, plain calls are JSON again.
        await agent.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
        assert.equal(answers.at(-1)?.contentType, 'application/json');
      } finally {
        await transport.terminateSession().catch(() => undefined);
        await agent.close();
      }
    });

    it('releases a cancelled plain call and keeps the session usable', async () => {
      const { client: agent, transport } = await recordingAgent(gateway.urlFor(serverName), address.token);
      try {
        const abort = new AbortController();
        const started = hosted.waitStarted();
        const call = agent.callTool({ name: 'wait', arguments: {} }, undefined, { signal: abort.signal });
        await started;
        const before = hosted.cancelled;
        abort.abort('user stopped it');
        await assert.rejects(call);
        await waitUntil(() => hosted.cancelled > before, 'the device to see the cancellation');
        assert.equal(textOf(await agent.callTool({ name: 'add', arguments: { a: 20, b: 22 } })), '42');
      } finally {
        await transport.terminateSession().catch(() => undefined);
        await agent.close();
      }
    });

    it('forgets a plain call whose agent drops its connection, and keeps the session usable', async () => {
      const { client: agent, transport } = await recordingAgent(gateway.urlFor(serverName), address.token);
      try {
        const headers = { Authorization: `Bearer ${address.token}`, 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' };
        const started = hosted.waitStarted();
        const dropped = httpRequest(gateway.urlFor(serverName), { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } });
        dropped.on('error', () => undefined);
        dropped.end(JSON.stringify({ jsonrpc: '2.0', id: 'dropped-1', method: 'tools/call', params: { name: 'wait', arguments: {} } }));
        await started;
        assert.equal(gateway.pendingAnswers, 1, 'the call waits for its answer while the agent is connected');
        dropped.destroy();
        await waitUntil(() => gateway.pendingAnswers === 0, 'the gateway to forget the call of the dropped connection');
        // A second call on a fresh connection of the same session is answered as usual.
        const listed = await rawPost(gateway.urlFor(serverName), headers, JSON.stringify({ jsonrpc: '2.0', id: 'after-drop', method: 'tools/list' }));
        assert.equal(listed.status, 200);
        assert.equal((JSON.parse(listed.body) as { id: string }).id, 'after-drop');
        assert.equal(textOf(await agent.callTool({ name: 'add', arguments: { a: 2, b: 3 } })), '5');
        assert.equal(gateway.pendingAnswers, 0);
      } finally {
        await transport.terminateSession().catch(() => undefined);
        await agent.close();
      }
    });

    it('refuses a body that is not JSON with a parse error, and sends a request it cannot take plainly to the SDK transport', async () => {
      const { client: agent, transport } = await recordingAgent(gateway.urlFor(serverName), address.token);
      try {
        const headers = { Authorization: `Bearer ${address.token}`, 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' };
        const broken = await rawPost(gateway.urlFor(serverName), headers, '{"jsonrpc": "2.0", "id": 1, "method": ');
        assert.equal(broken.status, 400);
        assert.equal(JSON.parse(broken.body).error.code, -32700);
        // An unsupported protocol version is the SDK transport's to refuse, in its own words.
        const badVersion = await rawPost(gateway.urlFor(serverName), { ...headers, 'mcp-protocol-version': '1999-01-01' }, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }));
        assert.equal(badVersion.status, 400);
        assert.match(JSON.parse(badVersion.body).error.message, /Unsupported protocol version/);
        // A plain request by hand gets its JSON answer, with the session id echoed.
        const listed = await rawPost(gateway.urlFor(serverName), headers, JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/list' }));
        assert.equal(listed.status, 200);
        const answer = JSON.parse(listed.body) as { id: number; result: { tools: unknown[] } };
        assert.equal(answer.id, 8);
        assert.equal(answer.result.tools.length, 6);
      } finally {
        await transport.terminateSession().catch(() => undefined);
        await agent.close();
      }
    });
  });
}
