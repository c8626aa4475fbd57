// Issue 14 D12: what MQTT 5 says to refuse, sent as raw bytes (a client library would not send them).
// mqtt-packet decodes ill-formed UTF-8 to U+FFFD and accepts packet id 0, so the embedded broker used to take
// all of these. Where Mosquitto 2 answers the same, the case runs against both brokers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import * as mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import mqtt from 'mqtt';
import { brokerKinds, startBroker, type BrokerKind, type TestBroker } from '../helpers/brokers.js';

const ILL_FORMED = Buffer.from([0x61, 0xff, 0x62]);
const SURROGATE = Buffer.from([0x61, 0xed, 0xa0, 0x80]); // U+D800 encoded: not UTF-8 (MQTT 5 §1.5.4)
const NUL = Buffer.from([0x61, 0x00, 0x62]);

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const field = (bytes: Buffer): Buffer => Buffer.concat([u16(bytes.length), bytes]);
function frame(firstByte: number, body: Buffer): Buffer {
  const length: number[] = [];
  let rest = body.length;
  do {
    length.push((rest % 128) | (rest >= 128 ? 0x80 : 0));
    rest = Math.floor(rest / 128);
  } while (rest > 0);
  return Buffer.concat([Buffer.from([firstByte, ...length]), body]);
}
const connectWithId = (clientId: Buffer, level = 5): Buffer =>
  frame(0x10, Buffer.concat([field(Buffer.from('MQTT')), Buffer.from([level, 0x02, 0, 60]), level === 5 ? Buffer.from([0]) : Buffer.alloc(0), field(clientId)]));
const publish = (topic: Buffer, qos: 0 | 1, packetId = 1): Buffer =>
  frame(0x30 | (qos << 1), Buffer.concat([field(topic), qos ? u16(packetId) : Buffer.alloc(0), Buffer.from([0]), Buffer.from('x')]));
const subscribe = (filter: Buffer, packetId = 1): Buffer => frame(0x82, Buffer.concat([u16(packetId), Buffer.from([0]), field(filter), Buffer.from([1])]));
const unsubscribe = (filter: Buffer, packetId = 1): Buffer => frame(0xa2, Buffer.concat([u16(packetId), Buffer.from([0]), field(filter)]));
let counter = 0;
const goodConnect = (): Buffer => connectWithId(Buffer.from(`strict-${process.pid}-${counter++}`));

/** Sends the bytes and returns what the broker answered, up to it closing the connection. */
async function exchange(port: number, bytes: Buffer[], protocolVersion: 4 | 5 = 5): Promise<Packet[]> {
  const socket = connect(port, '127.0.0.1');
  const parser = mqttPacket.parser({ protocolVersion });
  const received: Packet[] = [];
  parser.on('packet', (packet: Packet) => received.push(packet));
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  for (const b of bytes) socket.write(b);
  await closed;
  return received;
}

const summary = (packets: Packet[]): string[] =>
  packets.map((p) => (p.cmd === 'connack' ? `connack ${p.reasonCode ?? p.returnCode}` : p.cmd === 'disconnect' ? `disconnect 0x${(p.reasonCode ?? 0).toString(16)}` : p.cmd));

describe('embedded broker: strict MQTT 5 validation', { timeout: 60_000 }, () => {
  const brokers = new Map<BrokerKind, TestBroker>();
  before(async () => {
    for (const kind of brokerKinds()) brokers.set(kind, await startBroker(kind));
  });
  after(async () => {
    for (const broker of brokers.values()) await broker.stop();
  });
  const embedded = (): TestBroker => brokers.get('embedded') as TestBroker;

  for (const [name, bytes] of [['ill-formed UTF-8', ILL_FORMED], ['an encoded surrogate', SURROGATE], ['U+0000', NUL]] as const) {
    it(`refuses a client identifier with ${name}: CONNACK 0x85 (0x02 in MQTT 3.1.1)`, async () => {
      assert.deepEqual(summary(await exchange(embedded().port, [connectWithId(bytes)])), [`connack ${0x85}`]);
      assert.deepEqual(summary(await exchange(embedded().port, [connectWithId(bytes, 4)], 4)), ['connack 2']);
    });
  }

  for (const kind of brokerKinds()) {
    for (const [name, bytes] of [['ill-formed UTF-8', ILL_FORMED], ['U+0000', NUL]] as const) {
      it(`${kind}: disconnects with 0x81 Malformed Packet for a topic name or filter with ${name}`, async () => {
        const port = (brokers.get(kind) as TestBroker).port;
        for (const packet of [publish(bytes, 0), subscribe(bytes), unsubscribe(bytes)]) {
          assert.deepEqual(summary(await exchange(port, [goodConnect(), packet])), ['connack 0', 'disconnect 0x81']);
        }
      });
    }

    it(`${kind}: disconnects with 0x82 Protocol Error for a QoS 1 PUBLISH with packet id 0`, async () => {
      const port = (brokers.get(kind) as TestBroker).port;
      assert.deepEqual(summary(await exchange(port, [goodConnect(), publish(Buffer.from('strict/t'), 1, 0)])), ['connack 0', 'disconnect 0x82']);
    });
  }

  it('disconnects with 0x82 for a SUBSCRIBE or UNSUBSCRIBE with packet id 0 (Mosquitto 2.0 says 0x81)', async () => {
    for (const packet of [subscribe(Buffer.from('strict/t'), 0), unsubscribe(Buffer.from('strict/t'), 0)]) {
      assert.deepEqual(summary(await exchange(embedded().port, [goodConnect(), packet])), ['connack 0', 'disconnect 0x82']);
    }
  });

  it('disconnects with 0x81 for a PINGREQ with a payload (Mosquitto 2.0 answers it)', async () => {
    assert.deepEqual(summary(await exchange(embedded().port, [goodConnect(), Buffer.from([0xc0, 0x02, 0x01, 0x02])])), ['connack 0', 'disconnect 0x81']);
  });

  it('still takes valid non-ASCII names, U+FFFD itself included, and keeps serving after the refusals', async () => {
    const client = await mqtt.connectAsync(embedded().url, { protocolVersion: 5, reconnectPeriod: 0, clientId: 'strict-ü-\uFFFD' });
    try {
      const topic = 'strict/ü/\uFFFD/水';
      await client.subscribeAsync(topic, { qos: 1 });
      const got = new Promise<string>((resolve) => client.once('message', (t) => resolve(t)));
      await client.publishAsync(topic, 'x', { qos: 1 });
      assert.equal(await got, topic);
    } finally {
      await client.endAsync(true);
    }
  });
});
