// The silence watch notes times instead of arming a timer per packet (it runs for every packet of every call).
// Against real brokers: steady QoS 1 traffic, with keepalive pings on their fixed schedule, never looks like a
// dead link however long it lasts; a blackholed link (no RST) is still found, at about the response timeout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { MqttConnection } from '../../src/core/mqtt/connection.js';
import { startStallingProxy } from '../reliability/tcp-proxy.js';

const RESPONSE_TIMEOUT_MS = 400;

for (const kind of brokerKinds()) {
  describe(`silence watch on ${kind}`, () => {
    let broker: TestBroker;
    before(async () => {
      broker = await startBroker(kind);
    });
    after(async () => {
      await broker.stop();
    });

    test('steady traffic for many response timeouts is never declared dead', async () => {
      const connection = new MqttConnection({
        broker: { url: broker.url },
        clientId: `silence-busy-${kind}-${process.pid}`,
        componentType: 'mcp-client',
        reconnect: false,
        responseTimeoutMs: RESPONSE_TIMEOUT_MS,
        keepaliveSeconds: 1,
      });
      const lost: string[] = [];
      // A publish may never settle once the link is torn down: each one races the 'lost' event.
      const lostEvent = new Promise<void>((resolve) => connection.on('lost', (reason: string) => (lost.push(reason), resolve())));
      await connection.connect();
      try {
        const topic = `test/silence/${kind}/${process.pid}`;
        let received = 0;
        connection.route(topic, () => received++);
        await connection.subscribe(topic, { qos: 1 });
        // Each publish waits for its PUBACK; the loop spans six response timeouts and several keepalive pings.
        const started = Date.now();
        let sent = 0;
        while (Date.now() - started < 6 * RESPONSE_TIMEOUT_MS && lost.length === 0) {
          await Promise.race([connection.publish(topic, `m${sent++}`, { qos: 1 }), lostEvent]);
        }
        assert.deepEqual(lost, [], 'a busy, healthy connection was declared dead');
        assert.equal(connection.state, 'connected');
        assert.ok(sent > 0 && received > 0, `traffic flowed (sent ${sent}, received ${received})`);
      } finally {
        await connection.close();
      }
    });

    test('a blackholed link is declared dead at about the response timeout', async () => {
      const proxy = await startStallingProxy(broker.host, broker.port);
      const connection = new MqttConnection({
        broker: { url: proxy.url },
        clientId: `silence-holed-${kind}-${process.pid}`,
        componentType: 'mcp-client',
        reconnect: false,
        responseTimeoutMs: RESPONSE_TIMEOUT_MS,
      });
      try {
        await connection.connect();
        const lost = new Promise<string>((resolve) => connection.once('lost', resolve));
        // Traffic first, so the watch starts from a received packet, then silence with a PUBACK owed.
        await connection.publish('test/silence/holed', 'before', { qos: 1 });
        proxy.blackhole();
        const holedAt = Date.now();
        void connection.publish('test/silence/holed', 'into the void', { qos: 1 }).catch(() => undefined);
        const reason = await lost;
        const detectedMs = Date.now() - holedAt;
        assert.match(reason, /did not answer/);
        assert.ok(detectedMs >= RESPONSE_TIMEOUT_MS - 50, `declared dead after ${detectedMs} ms, before the ${RESPONSE_TIMEOUT_MS} ms timeout`);
        assert.ok(detectedMs < 10_000, `declared dead only after ${detectedMs} ms`);
      } finally {
        await connection.close().catch(() => undefined);
        await proxy.close();
      }
    });
  });
}
