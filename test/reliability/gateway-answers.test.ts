// The agent path with broken devices (issue 14 D5, D8): an answer the gateway cannot pass on reaches the agent
// as a JSON-RPC error, and a device that never answers initialize gets the agent an error within the
// gateway's own initialize timeout instead of the agent's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { DeviceTransport, McpGateway, PassThrough, type GatewayAddress } from '../../src/core/gateway/index.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { waitUntil } from '../fixtures/raw-device.js';
import { deepJson, startScriptedDevice, type ScriptedDevice } from './scripted-device.js';

const uid = (): string => randomBytes(4).toString('hex');

for (const kind of brokerKinds()) {
  describe(`gateway and broken devices on ${kind}`, () => {
    let broker: TestBroker;
    let client: McpMqttClient;
    let gateway: McpGateway;
    let address: GatewayAddress;
    let deep: ScriptedDevice;
    let mute: ScriptedDevice;
    const prefix = `gwr${uid()}`;

    before(async () => {
      broker = await startBroker(kind);
      deep = await startScriptedDevice({
        url: broker.url,
        serverId: `deep-${uid()}`,
        serverName: `${prefix}/deep`,
        onCall: (c) => `{"jsonrpc":"2.0","id":${JSON.stringify(c.id)},"result":{"content":[],"structuredContent":{"v":${deepJson(20_000)}}}}`,
      });
      mute = await startScriptedDevice({ url: broker.url, serverId: `mute-${uid()}`, serverName: `${prefix}/mute`, answerInitialize: false });
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${prefix}/#`] });
      await client.connect();
      gateway = new McpGateway({ client });
      address = await gateway.start();
      await waitUntil(() => gateway.servers().length === 2, 'both devices in the gateway');
    });
    after(async () => {
      await gateway.stop();
      await client.close();
      await deep.stop();
      await mute.stop();
      await broker.stop();
    });

    it('answers the agent with a JSON-RPC error for a device answer it cannot pass on (D8)', async () => {
      const agent = new Client({ name: 'agent', version: '1.0.0' });
      await agent.connect(new StreamableHTTPClientTransport(new URL(gateway.urlFor(`${prefix}/deep`)), { requestInit: { headers: { Authorization: `Bearer ${address.token}` } } }));
      try {
        // Before: the gateway dropped the answer and the agent waited for its own timeout.
        const error = await agent.callTool({ name: 'go', arguments: {} }, undefined, { timeout: 30_000 }).then(() => assert.fail('resolved'), (e: unknown) => e);
        assert.ok(error instanceof McpError);
        assert.notEqual(error.code, -32001, 'the agent timed out instead of getting an error');
        assert.match(error.message, /answer to tools\/call is unusable: nested deeper than 128 levels/);
      } finally {
        await agent.close();
      }
    });

    it('answers initialize with an error within its own timeout when the device never does (D5)', async () => {
      const [agentSide, gatewaySide] = InMemoryTransport.createLinkedPair();
      const pass = new PassThrough({ agent: gatewaySide, serverName: `${prefix}/mute`, openDevice: () => new DeviceTransport(client, `${prefix}/mute`), initializeTimeoutMs: 1000 });
      await pass.start();
      const agent = new Client({ name: 'agent', version: '1.0.0' });
      const started = Date.now();
      // The agent would wait 30 s; the gateway's bound is 1 s here (30 s by default, the spec's).
      const error = await agent.connect(agentSide, { timeout: 30_000 }).then(() => assert.fail('initialized'), (e: unknown) => e);
      assert.match(String(error), /did not answer initialize within 1 s/);
      assert.ok(Date.now() - started < 30_000);
      await pass.close();
    });
  });
}
