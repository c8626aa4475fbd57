import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mqttPacket from 'mqtt-packet';
import { FrameReader, type FrameEvent } from '../../src/core/broker/frame-reader.js';
import { RetainedStore } from '../../src/core/broker/retained-store.js';
import type { BrokerMessage } from '../../src/core/broker/message.js';

function publishBytes(topic: string, size: number): Buffer {
  return mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.alloc(size, 7), qos: 0, retain: false, dup: false }, { protocolVersion: 5 });
}

function collect(maxPacketSize: number): { reader: FrameReader; events: FrameEvent[] } {
  const events: FrameEvent[] = [];
  return { reader: new FrameReader(maxPacketSize, (e) => events.push(e)), events };
}

describe('frame reader', () => {
  it('reassembles packets split across chunks and splits packets sharing a chunk', () => {
    const first = publishBytes('a', 300); // two-byte remaining length
    const second = publishBytes('b', 3);
    const stream = Buffer.concat([first, second, first]);
    const { reader, events } = collect(1024);
    reader.push(stream.subarray(0, 1));
    reader.push(stream.subarray(1, 2));
    reader.push(stream.subarray(2, 200));
    reader.push(stream.subarray(200, first.length + second.length + 10));
    reader.push(stream.subarray(first.length + second.length + 10));
    assert.deepEqual(events.map((e) => (e.kind === 'frame' ? e.bytes.length : e.kind)), [first.length, second.length, first.length]);
    assert.deepEqual(events[1]?.kind === 'frame' ? [...events[1].bytes] : [], [...second]);
  });

  it('refuses a packet over the limit from its header alone', () => {
    const { reader, events } = collect(100);
    reader.push(publishBytes('a', 500).subarray(0, 3));
    assert.deepEqual(events.map((e) => e.kind), ['too-large']);
  });

  it('reports a remaining length longer than four bytes as malformed', () => {
    const { reader, events } = collect(1024);
    reader.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    assert.deepEqual(events.map((e) => e.kind), ['malformed']);
  });
});

describe('retained store', () => {
  const message = (topic: string, payload: string, extra: Partial<BrokerMessage> = {}): BrokerMessage =>
    ({ topic, payload: Buffer.from(payload), qos: 0, retain: true, properties: {}, ...extra });

  it('keeps the latest message per topic and deletes on an empty payload', () => {
    const store = new RetainedStore();
    store.apply(message('a/1', 'old'));
    store.apply(message('a/1', 'new'));
    store.apply(message('a/2', 'x'));
    store.apply(message('$s/1', 'dollar'));
    assert.deepEqual(store.matching('a/#', 0).map((m) => m.payload.toString()), ['new', 'x']);
    assert.deepEqual(store.matching('#', 0).map((m) => m.topic), ['a/1', 'a/2']);
    store.apply(message('a/1', ''));
    assert.deepEqual(store.matching('a/+', 0).map((m) => m.topic), ['a/2']);
    assert.equal(store.size, 2);
  });

  it('drops messages whose expiry has passed', () => {
    const store = new RetainedStore();
    store.apply(message('e/1', 'short', { expiresAt: 1000 }));
    store.apply(message('e/2', 'forever'));
    assert.equal(store.matching('e/#', 999).length, 2);
    assert.deepEqual(store.matching('e/#', 1000).map((m) => m.topic), ['e/2']);
    assert.equal(store.size, 1);
  });
});
