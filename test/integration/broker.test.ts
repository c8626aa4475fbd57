// Broker behaviour MCP over MQTT depends on, run unchanged against the embedded broker and Mosquitto.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { IConnectPacket } from 'mqtt-packet';
import { brokerKinds, openRawConnection, startBroker, type TestBroker } from '../helpers/brokers.js';

interface Received {
  topic: string;
  payload: string;
  packet: IPublishPacket;
}

/** Liveness guard only: a message that never comes fails the test instead of hanging it. */
const GIVE_UP_MS = 15_000;

const uid = (): string => randomUUID().slice(0, 8);

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Round trip on the client's own connection: brokers answer a SUBSCRIBE after writing everything queued
 * for the client before it, so once this resolves, earlier deliveries have been received.
 */
async function barrier(client: MqttClient): Promise<void> {
  await client.subscribeAsync(`barrier/${uid()}`, { qos: 0 });
}

for (const kind of brokerKinds()) {
  describe(`MQTT broker behaviour (${kind})`, () => {
    let broker: TestBroker;
    const clients: MqttClient[] = [];

    async function connectClient(options: IClientOptions = {}): Promise<{ client: MqttClient; connack: IConnackPacket; inbox: Received[] }> {
      const client = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: GIVE_UP_MS, ...options });
      clients.push(client);
      const inbox: Received[] = [];
      client.on('message', (topic, payload, packet) => inbox.push({ topic, payload: payload.toString(), packet }));
      const connack = await new Promise<IConnackPacket>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
      });
      return { client, connack, inbox };
    }

    function connectPacket(clientId: string, extra: Partial<IConnectPacket>): IConnectPacket {
      return { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId, clean: true, keepalive: 60, ...extra };
    }

    before(async () => {
      broker = await startBroker(kind);
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    });
    after(async () => {
      await broker.stop();
    });

    it('CONNACK reports a clean session that ends with the connection', async () => {
      const { connack } = await connectClient({ clean: true, properties: { sessionExpiryInterval: 0 } });
      assert.equal(connack.sessionPresent, false);
      assert.equal(connack.reasonCode ?? 0, 0);
      // An absent property means the client's own value (0) stands.
      assert.equal(connack.properties?.sessionExpiryInterval ?? 0, 0);
    });

    it('keeps the last retained message per topic, deletes it on an empty one, and flags retained deliveries', async () => {
      const topic = `retained/${uid()}/state`;
      const { client: publisher } = await connectClient();
      await publisher.publishAsync(topic, 'v1', { qos: 1, retain: true });
      await publisher.publishAsync(topic, 'v2', { qos: 1, retain: true });

      const { client: subscriber, inbox } = await connectClient();
      await subscriber.subscribeAsync(topic, { qos: 0 });
      await barrier(subscriber);
      assert.deepEqual(inbox.map((m) => [m.payload, m.packet.retain]), [['v2', true]]);

      await publisher.publishAsync(topic, 'v3', { qos: 1, retain: true });
      await publisher.publishAsync(topic, '', { qos: 1, retain: true });
      await barrier(subscriber);
      // Live deliveries carry RETAIN 0 unless the subscription asked for retain-as-published; the empty one still arrives.
      assert.deepEqual(inbox.slice(1).map((m) => [m.payload, m.packet.retain]), [['v3', false], ['', false]]);

      const { client: late, inbox: lateInbox } = await connectClient();
      await late.subscribeAsync(topic, { qos: 0 });
      await barrier(late);
      assert.equal(lateInbox.length, 0);
    });

    it('honours retain-as-published and retain handling', async () => {
      const root = `rap/${uid()}`;
      const { client: publisher } = await connectClient();
      await publisher.publishAsync(`${root}/a`, 'stored', { qos: 1, retain: true });

      const { client: subscriber, inbox } = await connectClient();
      await subscriber.subscribeAsync(`${root}/a`, { qos: 0, rh: 2 });
      await barrier(subscriber);
      assert.equal(inbox.length, 0, 'retain handling 2 sends no retained messages');

      await subscriber.subscribeAsync(`${root}/#`, { qos: 0, rh: 1, rap: true });
      await subscriber.subscribeAsync(`${root}/#`, { qos: 0, rh: 1, rap: true });
      await barrier(subscriber);
      assert.deepEqual(inbox.map((m) => m.payload), ['stored'], 'retain handling 1 sends them only for a new subscription');

      await publisher.publishAsync(`${root}/b`, 'live', { qos: 1, retain: true });
      await barrier(subscriber);
      const live = inbox.find((m) => m.payload === 'live');
      assert.equal(live?.packet.retain, true, 'retain-as-published keeps the RETAIN flag on live deliveries');
    });

    it('publishes a retained will with its properties when the socket dies, and none after a normal DISCONNECT', async () => {
      const root = `will/${uid()}`;
      const { client: observer, inbox } = await connectClient();
      await observer.subscribeAsync(`${root}/#`, { qos: 1 });

      const crashing = await openRawConnection(broker.port);
      crashing.send(connectPacket(`device-${uid()}`, {
        will: {
          topic: `${root}/crash`,
          payload: Buffer.from('offline'),
          qos: 1,
          retain: true,
          properties: { contentType: 'text/plain', userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-server', tag: ['a', 'b'] } },
        },
      }));
      assert.equal((await crashing.next()).cmd, 'connack');
      crashing.socket.destroy();
      await waitFor(() => inbox.length === 1, 'the will');
      const will = inbox[0] as Received;
      assert.equal(will.topic, `${root}/crash`);
      assert.equal(will.payload, 'offline');
      assert.equal(will.packet.qos, 1);
      assert.equal(will.packet.properties?.contentType, 'text/plain');
      assert.deepEqual({ ...will.packet.properties?.userProperties }, { 'MCP-COMPONENT-TYPE': 'mcp-server', tag: ['a', 'b'] });

      const { client: late, inbox: lateInbox } = await connectClient();
      await late.subscribeAsync(`${root}/crash`, { qos: 0 });
      await barrier(late);
      assert.deepEqual(lateInbox.map((m) => [m.payload, m.packet.retain]), [['offline', true]]);

      const polite = await openRawConnection(broker.port);
      polite.send(connectPacket(`device-${uid()}`, { will: { topic: `${root}/polite`, payload: Buffer.from('offline'), qos: 0, retain: true } }));
      assert.equal((await polite.next()).cmd, 'connack');
      polite.send({ cmd: 'disconnect', reasonCode: 0 });
      await polite.closed; // the broker has handled the DISCONNECT once it closes the socket
      await barrier(observer);
      assert.deepEqual(inbox.map((m) => m.topic), [`${root}/crash`]);
    });

    it('publishes the will of a client that stays silent past its keep-alive', async () => {
      const topic = `keepalive/${uid()}`;
      const { client: observer, inbox } = await connectClient();
      await observer.subscribeAsync(topic, { qos: 0 });
      const silent = await openRawConnection(broker.port);
      silent.send(connectPacket(`silent-${uid()}`, { keepalive: 1, will: { topic, payload: Buffer.from('timed out'), qos: 0, retain: false } }));
      assert.equal((await silent.next()).cmd, 'connack');
      await silent.closed;
      await waitFor(() => inbox.length === 1, 'the keep-alive will');
      assert.equal(inbox[0]?.payload, 'timed out');
    });

    it('does not echo a publish to its sender on a No Local subscription', async () => {
      const rpc = `$mcp-rpc/${uid()}/server-1/demo`;
      const echo = `echo/${uid()}`;
      const { client: device, inbox: deviceInbox } = await connectClient();
      const { client: caller, inbox: callerInbox } = await connectClient();
      await device.subscribeAsync(rpc, { qos: 1, nl: true });
      await device.subscribeAsync(echo, { qos: 1 });
      await caller.subscribeAsync(rpc, { qos: 1, nl: true });

      await device.publishAsync(rpc, 'from device', { qos: 1 });
      await caller.publishAsync(rpc, 'from caller', { qos: 1 });
      await device.publishAsync(echo, 'own echo', { qos: 1 });
      await barrier(device);
      await barrier(caller);
      assert.deepEqual(deviceInbox.map((m) => m.payload).sort(), ['from caller', 'own echo']);
      assert.deepEqual(callerInbox.map((m) => m.payload), ['from device']);
    });

    it('matches + and # wildcards, and never matches $ topics with a leading wildcard', async () => {
      const id = uid();
      const { client: publisher } = await connectClient();
      const { client: subscriber, inbox } = await connectClient();
      await subscriber.subscribeAsync([`${id}/+/c`, `${id}/#`, `+/${id}-x/#`, `$mcp-server/presence/+/${id}/#`], { qos: 0 });
      const topics = [id, `${id}/b/c`, `${id}/b/x/c`, `plain/${id}-x/y`, `$mcp-server/${id}-x/y`, `$mcp-server/presence/s1/${id}/kind/name`];
      for (const topic of topics) await publisher.publishAsync(topic, topic, { qos: 1 });
      await barrier(subscriber);
      // Overlapping filters may yield one copy per filter (Mosquitto) or one per client (embedded): MQTT 5 §3.3.4 allows both.
      const seen = [...new Set(inbox.map((m) => m.topic))].sort();
      assert.deepEqual(seen, [id, `${id}/b/c`, `${id}/b/x/c`, `$mcp-server/presence/s1/${id}/kind/name`, `plain/${id}-x/y`].sort());
    });

    it('forwards PUBLISH properties, user properties in order with duplicates', async () => {
      const topic = `$mcp-rpc/${uid()}/s/demo`;
      const { client: receiver, inbox } = await connectClient();
      await receiver.subscribeAsync(topic, { qos: 1 });
      const { client: sender } = await connectClient();
      const userProperties = { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-MQTT-CLIENT-ID': 'c-1', z: ['3', '1', '2'], a: 'last' };
      await sender.publishAsync(topic, '{"jsonrpc":"2.0"}', {
        qos: 1,
        properties: {
          userProperties,
          contentType: 'application/json',
          payloadFormatIndicator: true,
          responseTopic: `${topic}/reply`,
          correlationData: Buffer.from('corr-1'),
          messageExpiryInterval: 300,
        },
      });
      await barrier(receiver);
      const properties = inbox[0]?.packet.properties;
      assert.deepEqual(Object.entries(properties?.userProperties ?? {}), Object.entries(userProperties));
      assert.equal(properties?.contentType, 'application/json');
      assert.equal(properties?.payloadFormatIndicator, true);
      assert.equal(properties?.responseTopic, `${topic}/reply`);
      assert.equal(properties?.correlationData?.toString(), 'corr-1');
      assert.ok((properties?.messageExpiryInterval ?? 0) > 0 && (properties?.messageExpiryInterval ?? 0) <= 300);
    });

    it('delivers QoS 1 end to end and downgrades to the subscription QoS', async () => {
      const topic = `qos/${uid()}`;
      const { client: atLeastOnce, inbox: qos1Inbox } = await connectClient();
      const { client: atMostOnce, inbox: qos0Inbox } = await connectClient();
      await atLeastOnce.subscribeAsync(topic, { qos: 1 });
      await atMostOnce.subscribeAsync(topic, { qos: 0 });
      const publisher = await openRawConnection(broker.port);
      publisher.send(connectPacket(`publisher-${uid()}`, {}));
      assert.equal((await publisher.next()).cmd, 'connack');
      publisher.send({ cmd: 'publish', topic, payload: Buffer.from('important'), qos: 1, messageId: 7, retain: false, dup: false });
      const ack = await publisher.next();
      assert.deepEqual([ack.cmd, ack.messageId], ['puback', 7]);
      publisher.socket.destroy();
      await barrier(atLeastOnce);
      await barrier(atMostOnce);
      assert.deepEqual(qos1Inbox.map((m) => [m.payload, m.packet.qos]), [['important', 1]]);
      assert.equal(typeof qos1Inbox[0]?.packet.messageId, 'number');
      assert.deepEqual(qos0Inbox.map((m) => [m.payload, m.packet.qos]), [['important', 0]]);
    });

    it('delivers 10,000 retained messages to a fresh QoS 0 subscriber', async () => {
      const root = `bulk/${uid()}`;
      const count = 10_000;
      const { client: publisher } = await connectClient();
      for (let i = 0; i < count; i++) publisher.publish(`${root}/device-${i}`, `{"n":${i}}`, { qos: 0, retain: true });
      // Same connection, so this acknowledgement means every earlier publish has been stored.
      await publisher.publishAsync(`${root}/fence`, 'fence', { qos: 1 });

      const { client: subscriber, inbox } = await connectClient();
      await subscriber.subscribeAsync(`${root}/+`, { qos: 0 });
      await waitFor(() => inbox.length >= count, `${count} retained messages`);
      await barrier(subscriber);
      const topics = new Set(inbox.filter((m) => m.packet.retain).map((m) => m.topic));
      topics.delete(`${root}/fence`);
      assert.equal(topics.size, count);
    });

    it('writes a subscription\'s retained messages before the SUBACK of the next subscribe', async () => {
      const root = `order/${uid()}`;
      const count = 500;
      const { client: publisher } = await connectClient();
      for (let i = 0; i < count; i++) publisher.publish(`${root}/s${i}`, 'online', { qos: 0, retain: true });
      await publisher.publishAsync(`${root}/fence`, 'fence', { qos: 1, retain: false });

      const { client: subscriber, inbox } = await connectClient();
      // Both SUBSCRIBEs go out back to back; the second SUBACK marks the end of the first snapshot.
      const first = subscriber.subscribeAsync(`${root}/#`, { qos: 0 });
      const second = subscriber.subscribeAsync(`other/${uid()}`, { qos: 0 });
      await second;
      const receivedBeforeSecondSuback = inbox.length;
      await first;
      assert.equal(receivedBeforeSecondSuback, count);
    });

    // Last on purpose: a restart forgets retained messages, so nothing after it may depend on them.
    it('restarts on the same port, dropping connected clients', async () => {
      const { client: dropped } = await connectClient();
      const closed = new Promise<void>((resolve) => dropped.once('close', () => resolve()));
      const port = broker.port;
      await broker.restart?.();
      await closed;
      assert.equal(broker.port, port);
      const { client: reconnected, inbox } = await connectClient();
      await reconnected.subscribeAsync('restart/check', { qos: 0 });
      await reconnected.publishAsync('restart/check', 'back', { qos: 1 });
      await barrier(reconnected);
      assert.deepEqual(inbox.map((m) => m.payload), ['back']);
    });
  });
}
