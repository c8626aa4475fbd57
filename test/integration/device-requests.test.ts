// A device asking its client over MQTT (server-to-client requests on the RPC topic): elicitation answered
// and declined, sampling answered and refused, roots listed; and a client that offers none of these, whose
// device is told so by its own SDK. An SDK Server hosted by McpMqttServerHost plays the device.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { McpMqttServerHost } from '../../src/core/server/host.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { DeviceRequestDeclined, type DeviceRequestHandlers } from '../../src/core/client/device-requests.js';
import { waitUntil } from '../fixtures/raw-device.js';

const PROMPT = 'Summarize: 21.5 °C, heating';

/** A device whose tools ask the client: confirm (elicitation), summarize (sampling), roots (roots/list). */
function askingServer(): Server {
  const server = new Server({ name: 'asking-device', version: '1.0.0' }, { capabilities: { tools: {} } });
  const text = (t: string, isError = false) => ({ content: [{ type: 'text' as const, text: t }], ...(isError ? { isError } : {}) });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: ['confirm', 'summarize', 'roots'].map((name) => ({ name, inputSchema: { type: 'object' as const, properties: {} } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    try {
      if (request.params.name === 'confirm') {
        const answer = await server.elicitInput({
          message: 'Really open the valve?',
          requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean', title: 'Open it' } }, required: ['confirm'] },
        });
        return text(`${answer.action} ${JSON.stringify(answer.content ?? {})}`);
      }
      if (request.params.name === 'summarize') {
        const answer = await server.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: PROMPT } }],
          maxTokens: 50,
        });
        return text(`${answer.model}: ${answer.content.type === 'text' ? answer.content.text : answer.content.type}`);
      }
      const { roots } = await server.listRoots();
      return text(roots.map((r) => r.uri).join(' '));
    } catch (e) {
      return text(`${e instanceof McpError ? `error ${e.code}: ` : ''}${(e as Error).message}`, true);
    }
  });
  return server;
}

const resultText = (r: { content?: unknown }): string => ((r.content as { text?: string }[])[0]?.text ?? '');

for (const kind of brokerKinds()) {
  describe(`device requests answered by the client (${kind})`, () => {
    let broker: TestBroker;
    let host: McpMqttServerHost;
    const prefix = `ask${randomBytes(3).toString('hex')}`;
    const serverName = `${prefix}/valve`;
    const clients: McpMqttClient[] = [];
    const asked: string[] = [];

    async function client(deviceRequests?: DeviceRequestHandlers): Promise<McpMqttClient> {
      const c = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${prefix}/#`], deviceRequests });
      clients.push(c);
      await c.connect();
      await waitUntil(() => c.registry.get(serverName) !== undefined, `${serverName} discovered`);
      return c;
    }

    before(async () => {
      broker = await startBroker(kind);
      host = new McpMqttServerHost({
        broker: { url: broker.url },
        serverId: `valve-${randomBytes(3).toString('hex')}`,
        serverName,
        description: 'a valve that asks before it opens',
        reconnect: false,
        createServer: () => askingServer(),
      });
      await host.start();
    });
    after(async () => {
      for (const c of clients) await c.close();
      await host?.stop();
      await broker?.stop();
    });

    test('elicitation: the answer reaches the device, accepted or declined', async () => {
      let accept = true;
      const c = await client({
        elicit: async (params, ctx) => {
          asked.push(`${ctx.serverName}: ${params.message}`);
          return accept ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
        },
      });
      const session = await c.session(serverName);
      assert.equal(resultText(await session.callTool('confirm')), 'accept {"confirm":true}');
      accept = false;
      assert.equal(resultText(await session.callTool('confirm')), 'decline {}');
      assert.deepEqual(asked.slice(-2), [`${serverName}: Really open the valve?`, `${serverName}: Really open the valve?`]);
    });

    test('sampling: a model answer when approved, a clear error to the device when declined', async () => {
      let approve = true;
      const c = await client({
        sample: async (params) => {
          if (!approve) throw new DeviceRequestDeclined('sampling');
          const content = params.messages[0]?.content;
          const prompt = Array.isArray(content) ? content[0] : content;
          return { role: 'assistant', model: 'test-model', content: { type: 'text', text: `ok (${prompt?.type === 'text' ? prompt.text.length : 0} chars)` } };
        },
      });
      const session = await c.session(serverName);
      assert.equal(resultText(await session.callTool('summarize')), `test-model: ok (${PROMPT.length} chars)`);
      approve = false;
      const refused = await session.callTool('summarize');
      assert.equal(refused.isError, true);
      assert.match(resultText(refused), /error -1: .*sampling: the user declined/);
    });

    test('roots: the list the user allowed', async () => {
      const c = await client({ listRoots: async () => [{ uri: 'file:///work/project', name: 'project' }] });
      const session = await c.session(serverName);
      assert.equal(resultText(await session.callTool('roots')), 'file:///work/project');
    });

    test('a client that offers none: the device learns it from its own SDK, nothing is asked', async () => {
      const before = asked.length;
      const c = await client();
      const session = await c.session(serverName);
      for (const tool of ['confirm', 'summarize', 'roots']) {
        const r = await session.callTool(tool);
        assert.equal(r.isError, true, tool);
        // The SDK refuses elicitation and roots itself; sampling reaches the client, which has no such method.
        assert.match(resultText(r), /does not support|not supported|-32601/i, tool);
      }
      assert.equal(asked.length, before);
    });
  });
}
