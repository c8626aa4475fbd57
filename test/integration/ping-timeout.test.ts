// Spec §5.5: a device that stops answering ping is de-initialized by the client (notifications/disconnected on
// the RPC topic), so the device drops the client's subscriptions; the next use initializes a new session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { PingRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { McpMqttServerHost } from '../../src/core/server/host.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';

async function until(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const kind of brokerKinds()) {
  describe(`ping timeout on ${kind}`, () => {
    let broker: TestBroker;
    let host: McpMqttServerHost;
    let client: McpMqttClient;
    let answerPings = false;
    before(async () => {
      broker = await startBroker(kind);
      host = new McpMqttServerHost({
        broker: { url: broker.url },
        serverId: `mute-${kind}`,
        serverName: 'test/mute',
        description: 'stops answering ping on request',
        createServer: () => {
          const server = new McpServer({ name: 'mute', version: '1.0.0' });
          // A device whose firmware hangs: ping requests are received and never answered.
          server.server.setRequestHandler(PingRequestSchema, () => (answerPings ? {} : new Promise<never>(() => {})));
          return server.server;
        },
      });
      await host.start();
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: { pingMs: 300 } });
      await client.connect();
    });
    after(async () => {
      await client.close();
      await host.stop();
      await broker.stop();
    });

    test('an unanswered ping ends the session on both sides; the next use initializes again', async () => {
      const session = await client.session('test/mute');
      await until('the device to register the session', () => host.clientIds.includes(client.clientId));
      await assert.rejects(session.ping(), /timed out/i);
      assert.equal(session.closed, true);
      await until('the device to drop the de-initialized session', () => !host.clientIds.includes(client.clientId));
      answerPings = true;
      const next = await client.session('test/mute');
      assert.notEqual(next, session);
      await next.ping();
      assert.equal(next.closed, false);
    });
  });
}
