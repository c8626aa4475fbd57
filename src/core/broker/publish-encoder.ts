// Outgoing PUBLISH encoding, the broker's hot path. Written by hand rather than with mqtt-packet's generate
// because a message's topic and forwarded properties are encoded once and reused for every subscriber and
// every retained delivery; generate re-derives them per packet and was the bulk of delivering 10,000
// retained messages.
import type { BrokerMessage, ForwardedProperties } from './message.js';

export interface PublishFraming {
  qos: 0 | 1;
  retain: boolean;
  protocolVersion: 4 | 5;
  packetId?: number;
  /** Message Expiry Interval still left, in seconds. */
  expirySeconds?: number;
  subscriptionIdentifiers: readonly number[];
}

interface EncodedParts {
  topic: Buffer;
  /** The forwarded MQTT 5 properties, without their length prefix. */
  properties: Buffer;
}

const PROPERTY = {
  payloadFormatIndicator: 0x01,
  messageExpiryInterval: 0x02,
  contentType: 0x03,
  responseTopic: 0x08,
  correlationData: 0x09,
  subscriptionIdentifier: 0x0b,
  userProperty: 0x26,
} as const;

const encodedParts = new WeakMap<BrokerMessage, EncodedParts>();

function varIntLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

function writeVarInt(buf: Buffer, offset: number, value: number): number {
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    buf[offset++] = byte;
  } while (rest > 0);
  return offset;
}

/** Length-prefixed UTF-8 or binary fields (MQTT 5 §1.5.4, §1.5.6). */
function prefixed(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + data.length);
  out.writeUInt16BE(data.length, 0);
  data.copy(out, 2);
  return out;
}

function encodeProperties(props: ForwardedProperties): Buffer {
  const chunks: Buffer[] = [];
  const stringProperty = (id: number, value: string | Buffer): void => {
    chunks.push(Buffer.of(id), prefixed(typeof value === 'string' ? Buffer.from(value, 'utf8') : value));
  };
  if (props.payloadFormatIndicator !== undefined) chunks.push(Buffer.of(PROPERTY.payloadFormatIndicator, props.payloadFormatIndicator ? 1 : 0));
  if (props.contentType !== undefined) stringProperty(PROPERTY.contentType, props.contentType);
  if (props.responseTopic !== undefined) stringProperty(PROPERTY.responseTopic, props.responseTopic);
  if (props.correlationData !== undefined) stringProperty(PROPERTY.correlationData, props.correlationData);
  // Keys in insertion order and each key's values in order: exactly what the codec produced from the incoming PUBLISH.
  for (const [name, value] of Object.entries(props.userProperties ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      chunks.push(Buffer.of(PROPERTY.userProperty), prefixed(Buffer.from(name, 'utf8')), prefixed(Buffer.from(String(item), 'utf8')));
    }
  }
  return Buffer.concat(chunks);
}

function partsOf(message: BrokerMessage): EncodedParts {
  let parts = encodedParts.get(message);
  if (!parts) {
    parts = { topic: prefixed(Buffer.from(message.topic, 'utf8')), properties: encodeProperties(message.properties) };
    encodedParts.set(message, parts);
  }
  return parts;
}

export function encodePublish(message: BrokerMessage, framing: PublishFraming): Buffer {
  const parts = partsOf(message);
  const v5 = framing.protocolVersion === 5;
  let propertiesLength = 0;
  if (v5) {
    propertiesLength = parts.properties.length;
    if (framing.expirySeconds !== undefined) propertiesLength += 5;
    for (const id of framing.subscriptionIdentifiers) propertiesLength += 1 + varIntLength(id);
  }
  const remainingLength =
    parts.topic.length + (framing.qos > 0 ? 2 : 0) + (v5 ? varIntLength(propertiesLength) + propertiesLength : 0) + message.payload.length;
  const buf = Buffer.allocUnsafe(1 + varIntLength(remainingLength) + remainingLength);
  buf[0] = 0x30 | (framing.qos << 1) | (framing.retain ? 1 : 0);
  let offset = writeVarInt(buf, 1, remainingLength);
  offset += parts.topic.copy(buf, offset);
  if (framing.qos > 0) offset = buf.writeUInt16BE(framing.packetId ?? 0, offset);
  if (v5) {
    offset = writeVarInt(buf, offset, propertiesLength);
    if (framing.expirySeconds !== undefined) {
      buf[offset++] = PROPERTY.messageExpiryInterval;
      offset = buf.writeUInt32BE(framing.expirySeconds, offset);
    }
    for (const id of framing.subscriptionIdentifiers) {
      buf[offset++] = PROPERTY.subscriptionIdentifier;
      offset = writeVarInt(buf, offset, id);
    }
    offset += parts.properties.copy(buf, offset);
  }
  message.payload.copy(buf, offset);
  return buf;
}
