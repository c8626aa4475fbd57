// Embedded-broker behaviour beyond what Mosquitto is used to cross-check: its CONNACK, refusals and robustness.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { IConnectPacket, IDisconnectPacket, Packet } from 'mqtt-packet';
import { EmbeddedBroker } from '../../src/core/broker/index.js';
import { openRawConnection, startBroker, type RawMqttConnection, type TestBroker } from '../helpers/brokers.js';

const uid = (): string => randomUUID().slice(0, 8);
const GIVE_UP_MS = 15_000;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function connectPacket(clientId: string, extra: Partial<IConnectPacket> = {}): IConnectPacket {
  return { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId, clean: true, keepalive: 60, ...extra };
}

async function rawConnected(port: number, extra: Partial<IConnectPacket> = {}): Promise<{ raw: RawMqttConnection; connack: Packet }> {
  const raw = await openRawConnection(port);
  raw.send(connectPacket(`raw-${uid()}`, extra));
  return { raw, connack: await raw.next() };
}

/** Reads packets until the broker's DISCONNECT, then waits for it to close the socket. */
async function expectDisconnect(raw: RawMqttConnection): Promise<number | undefined> {
  for (;;) {
    const packet = await raw.next();
    if (packet.cmd === 'disconnect') {
      await raw.closed;
      return (packet as IDisconnectPacket).reasonCode;
    }
  }
}

describe('embedded MQTT broker', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];
  const hookCalls: Array<{ clientId: string; userProperties: Record<string, string | string[]> }> = [];

  async function connectClient(url: string, options: IClientOptions = {}): Promise<{ client: MqttClient; connack: IConnackPacket; inbox: IPublishPacket[] }> {
    const client = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: GIVE_UP_MS, ...options });
    clients.push(client);
    const inbox: IPublishPacket[] = [];
    client.on('message', (_topic, _payload, packet) => inbox.push(packet));
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    return { client, connack, inbox };
  }

  before(async () => {
    broker = await startBroker('embedded', {
      // Imitates the EMQX MCP gateway: servers get a name, clients get discovery filters and roles.
      connackUserProperties: (connect): Record<string, string> | undefined => {
        hookCalls.push(connect);
        if (connect.userProperties['MCP-COMPONENT-TYPE'] === 'mcp-server') return { 'MCP-SERVER-NAME': `devices/${connect.clientId}` };
        if (connect.userProperties['MCP-COMPONENT-TYPE'] === 'mcp-client') {
          return { 'MCP-SERVER-NAME-FILTERS': JSON.stringify(['devices/#']), 'MCP-RBAC': JSON.stringify([{ server_name: 'devices/a', role_name: 'admin' }]) };
        }
        return undefined;
      },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  after(async () => {
    await broker.stop();
  });

  it('states its capabilities in CONNACK and forces session expiry to 0', async () => {
    const { connack } = await connectClient(broker.url, { clientId: `persistent-${uid()}`, clean: false, properties: { sessionExpiryInterval: 3600 } });
    assert.equal(connack.sessionPresent, false);
    assert.deepEqual(
      { ...connack.properties },
      {
        sessionExpiryInterval: 0,
        maximumQoS: 1,
        retainAvailable: true,
        wildcardSubscriptionAvailable: true,
        sharedSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: true,
        topicAliasMaximum: 1024,
        maximumPacketSize: 16 * 1024 * 1024,
      },
    );
  });

  it('assigns a client identifier when the client sends an empty one', async () => {
    const { raw, connack } = await rawConnected(broker.port, { clientId: '' });
    assert.equal(connack.cmd, 'connack');
    const assigned = connack.cmd === 'connack' ? connack.properties?.assignedClientIdentifier : undefined;
    assert.ok(assigned && assigned.length > 0);
    raw.socket.destroy();
  });

  it('adds the connackUserProperties hook\'s properties, like the EMQX MCP gateway', async () => {
    const serverId = `srv-${uid()}`;
    const { connack: serverConnack } = await connectClient(broker.url, {
      clientId: serverId,
      properties: { userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-server', 'MCP-META': '{}' } },
    });
    assert.deepEqual({ ...serverConnack.properties?.userProperties }, { 'MCP-SERVER-NAME': `devices/${serverId}` });
    assert.deepEqual({ ...hookCalls.find((c) => c.clientId === serverId)?.userProperties }, { 'MCP-COMPONENT-TYPE': 'mcp-server', 'MCP-META': '{}' });

    const { connack: clientConnack } = await connectClient(broker.url, { properties: { userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-client' } } });
    assert.equal(clientConnack.properties?.userProperties?.['MCP-SERVER-NAME-FILTERS'], '["devices/#"]');
    assert.equal(clientConnack.properties?.userProperties?.['MCP-RBAC'], '[{"server_name":"devices/a","role_name":"admin"}]');
  });

  it('lets a new connection take over a client id: the old one gets 0x8E and its will fires', async () => {
    const deviceId = `device-${uid()}`;
    const willTopic = `$mcp-server/presence/${deviceId}/demo`;
    const { client: observer, inbox } = await connectClient(broker.url);
    await observer.subscribeAsync(willTopic, { qos: 0 });
    const { raw: old } = await rawConnected(broker.port, { clientId: deviceId, will: { topic: willTopic, payload: Buffer.alloc(0), qos: 0, retain: true } });

    const { client: replacement, inbox: replacementInbox } = await connectClient(broker.url, { clientId: deviceId });
    assert.equal(await expectDisconnect(old), 0x8e);
    await waitFor(() => inbox.length === 1, 'the old connection\'s will');
    assert.equal(inbox[0]?.payload.length, 0);

    await replacement.subscribeAsync(`takeover/${deviceId}`, { qos: 1 });
    await replacement.publishAsync(`takeover/${deviceId}`, 'still here', { qos: 1 });
    await waitFor(() => inbox.length === 1 && replacementInbox.length === 1, 'the replacement\'s own message');
  });

  it('refuses QoS 2 publishes with 0x9B and grants QoS 1 for QoS 2 subscriptions', async () => {
    const { raw } = await rawConnected(broker.port);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2/x', qos: 2 }] });
    const suback = await raw.next();
    assert.deepEqual(suback.cmd === 'suback' ? suback.granted : undefined, [1]);
    raw.send({ cmd: 'publish', topic: 'q2/x', payload: Buffer.from('x'), qos: 2, messageId: 2, retain: false, dup: false });
    assert.equal(await expectDisconnect(raw), 0x9b);
  });

  it('refuses invalid and shared filters in SUBACK and invalid topic names with DISCONNECT 0x90', async () => {
    const { raw } = await rawConnected(broker.port);
    raw.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'a/#/b', qos: 0 },
        { topic: 'a/b+', qos: 0 },
        { topic: '$share/group/a', qos: 0 },
        { topic: '$mcp-server/presence/+/#', qos: 1 },
      ],
    });
    const suback = await raw.next();
    assert.deepEqual(suback.cmd === 'suback' ? suback.granted : undefined, [0x8f, 0x8f, 0x9e, 1]);
    raw.send({ cmd: 'publish', topic: 'bad/+/topic', payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    assert.equal(await expectDisconnect(raw), 0x90);
  });

  it('disconnects a client sending a packet over the maximum size with 0x95', async () => {
    const small = new EmbeddedBroker({ maxPacketSize: 1024 });
    const { port, url } = await small.start();
    try {
      const { raw, connack } = await rawConnected(port);
      assert.equal(connack.cmd === 'connack' ? connack.properties?.maximumPacketSize : undefined, 1024);
      raw.send({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(2000), qos: 0, retain: false, dup: false });
      assert.equal(await expectDisconnect(raw), 0x95);
      const { client, inbox } = await connectClient(url);
      await client.subscribeAsync('small', { qos: 0 });
      await client.publishAsync('small', 'fits', { qos: 1 });
      await waitFor(() => inbox.length === 1, 'a message on the surviving broker');
    } finally {
      await small.stop();
    }
  });

  it('closes only the connection that sends garbage, firing its will, and keeps serving others', async () => {
    const willTopic = `garbage/${uid()}`;
    const { client: observer, inbox } = await connectClient(broker.url);
    await observer.subscribeAsync(willTopic, { qos: 0 });

    const noise = connectTcp(broker.port, '127.0.0.1');
    const noiseClosed = new Promise<void>((resolve) => noise.once('close', () => resolve()));
    noise.on('error', () => undefined);
    noise.write(Buffer.from([0x35, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03]));
    await noiseClosed;

    const { raw } = await rawConnected(broker.port, { will: { topic: willTopic, payload: Buffer.from('broken'), qos: 0, retain: false } });
    // A SUBSCRIBE whose length says 5 bytes but whose topic length field claims 0xffff.
    raw.socket.write(Buffer.from([0x82, 0x05, 0x00, 0x01, 0xff, 0xff, 0x00]));
    assert.equal(await expectDisconnect(raw), 0x81);
    await waitFor(() => inbox.length === 1, 'the will of the broken connection');
    assert.equal(inbox[0]?.payload.toString(), 'broken');

    const { client } = await connectClient(broker.url);
    await client.publishAsync(willTopic, 'fine', { qos: 1 });
    await waitFor(() => inbox.length === 2, 'a message from a healthy client');
    assert.equal(inbox[1]?.payload.toString(), 'fine');
  });

  it('treats a SUBSCRIBE without topic filters as a protocol error', async () => {
    const { raw } = await rawConnected(broker.port);
    raw.socket.write(Buffer.from([0x82, 0x03, 0x00, 0x01, 0x00])); // packet id 1, empty properties, no filters
    assert.equal(await expectDisconnect(raw), 0x82);
  });

  it('resolves client topic aliases and tags deliveries with subscription identifiers', async () => {
    const topic = `alias/${uid()}/long/topic/name`;
    const { client: subscriber, inbox } = await connectClient(broker.url);
    await subscriber.subscribeAsync(topic, { qos: 0, properties: { subscriptionIdentifier: 42 } });
    const { raw } = await rawConnected(broker.port);
    raw.send({ cmd: 'publish', topic, payload: Buffer.from('1'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } });
    raw.send({ cmd: 'publish', topic: '', payload: Buffer.from('2'), qos: 1, messageId: 9, retain: false, dup: false, properties: { topicAlias: 3 } });
    assert.equal((await raw.next()).cmd, 'puback');
    await subscriber.subscribeAsync(`barrier/${uid()}`, { qos: 0 });
    assert.deepEqual(inbox.map((p) => [p.topic, p.payload.toString(), p.properties?.topicAlias, p.properties?.subscriptionIdentifier]), [
      [topic, '1', undefined, 42],
      [topic, '2', undefined, 42],
    ]);
    raw.socket.destroy();
  });

  it('serves MQTT 3.1.1 clients alongside MQTT 5 ones', async () => {
    const topic = `v311/${uid()}`;
    const { client: v5 } = await connectClient(broker.url);
    await v5.publishAsync(topic, 'retained for all', { qos: 1, retain: true, properties: { userProperties: { dropped: 'for 3.1.1' } } });
    const { client: v4, inbox } = await connectClient(broker.url, { protocolVersion: 4 });
    await v4.subscribeAsync(topic, { qos: 1 });
    await v4.subscribeAsync(`barrier/${uid()}`, { qos: 0 });
    assert.deepEqual(inbox.map((p) => [p.payload.toString(), p.retain, p.qos]), [['retained for all', true, 1]]);
  });

  it('interoperates with mosquitto_sub, which speaks MQTT 3.1.1 by default', { skip: !existsSync('/usr/bin/mosquitto_sub') && process.env.CI !== 'true' && 'SKIPPED: mosquitto-clients not installed (apt-get install mosquitto-clients; under CI=true this fails instead)' }, async () => {
    const topic = `cli/${uid()}`;
    const { client } = await connectClient(broker.url);
    await client.publishAsync(topic, 'hello tools', { qos: 1, retain: true });
    // Asynchronous on purpose: a synchronous spawn would block the in-process broker it talks to.
    const sub = spawn('/usr/bin/mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-C', '1', '-W', '10']);
    let output = '';
    sub.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    const status = await new Promise<number | null>((resolve) => sub.once('exit', resolve));
    assert.equal(status, 0);
    assert.equal(output.trim(), 'hello tools');
  });

  it('counts connections and messages, and stop() closes everything and can be repeated', async () => {
    const own = new EmbeddedBroker();
    const { url } = await own.start();
    const { client, inbox } = await connectClient(url);
    await client.subscribeAsync('stats/t', { qos: 1 });
    await client.publishAsync('stats/t', 'x', { qos: 1 });
    await client.subscribeAsync(`barrier/${uid()}`, { qos: 0 });
    assert.equal(inbox.length, 1);
    assert.deepEqual({ ...own.stats }, { connections: 1, messagesIn: 1, messagesOut: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await own.stop();
    await own.stop();
    await closed;
    assert.equal(own.stats.connections, 0);
  });

  it('restarts on the same port through the test harness', async () => {
    const restartable = await startBroker('embedded');
    try {
      const { port, url } = restartable;
      await restartable.restart?.();
      assert.equal(restartable.port, port);
      const { client, inbox } = await connectClient(url);
      await client.subscribeAsync('restart/t', { qos: 0 });
      await client.publishAsync('restart/t', 'x', { qos: 1 });
      await waitFor(() => inbox.length === 1, 'a message through the restarted broker');
    } finally {
      await restartable.stop();
    }
  });
});
