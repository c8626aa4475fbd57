import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mqttPacket from 'mqtt-packet';
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { encodePublish } from '../../src/core/broker/publish-encoder.js';
import type { BrokerMessage } from '../../src/core/broker/message.js';

function decode(bytes: Buffer, protocolVersion: 4 | 5): IPublishPacket {
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  parser.on('packet', (p: Packet) => packets.push(p));
  parser.on('error', (err: Error) => assert.fail(err));
  parser.parse(bytes);
  assert.equal(packets.length, 1);
  return packets[0] as IPublishPacket;
}

const message: BrokerMessage = {
  topic: '$mcp-rpc/client/ü-server/demo',
  payload: Buffer.from('{"jsonrpc":"2.0","id":1}'),
  qos: 1,
  retain: true,
  properties: {
    payloadFormatIndicator: true,
    contentType: 'application/json',
    responseTopic: 'reply/here',
    correlationData: Buffer.from([0, 1, 2]),
    userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-client', dup: ['1', '2'], last: 'z' },
  },
};

describe('PUBLISH encoder', () => {
  it('produces MQTT 5 packets the reference codec reads back identically', () => {
    const bytes = encodePublish(message, { qos: 1, retain: true, protocolVersion: 5, packetId: 513, expirySeconds: 70_000, subscriptionIdentifiers: [5, 300] });
    const packet = decode(bytes, 5);
    assert.equal(packet.topic, message.topic);
    assert.equal(packet.payload.toString(), '{"jsonrpc":"2.0","id":1}');
    assert.deepEqual([packet.qos, packet.retain, packet.messageId], [1, true, 513]);
    const props = packet.properties ?? {};
    assert.equal(props.messageExpiryInterval, 70_000);
    assert.deepEqual(props.subscriptionIdentifier, [5, 300]);
    assert.equal(props.payloadFormatIndicator, true);
    assert.equal(props.contentType, 'application/json');
    assert.equal(props.responseTopic, 'reply/here');
    assert.deepEqual([...(props.correlationData ?? [])], [0, 1, 2]);
    assert.deepEqual(Object.entries(props.userProperties ?? {}), Object.entries(message.properties.userProperties ?? {}));
  });

  it('gives the same bytes as mqtt-packet for a plain QoS 0 message, and drops properties for MQTT 3.1.1', () => {
    const plain: BrokerMessage = { topic: 'a/b', payload: Buffer.alloc(200, 1), qos: 0, retain: false, properties: {} };
    const reference = mqttPacket.generate({ cmd: 'publish', topic: 'a/b', payload: plain.payload, qos: 0, retain: false, dup: false }, { protocolVersion: 5 });
    assert.deepEqual(encodePublish(plain, { qos: 0, retain: false, protocolVersion: 5, subscriptionIdentifiers: [] }), reference);
    const legacy = decode(encodePublish(message, { qos: 0, retain: false, protocolVersion: 4, subscriptionIdentifiers: [7] }), 4);
    assert.deepEqual([legacy.topic, legacy.qos, legacy.retain, legacy.payload.length], [message.topic, 0, false, message.payload.length]);
  });
});
