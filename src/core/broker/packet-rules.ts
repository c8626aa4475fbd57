// MQTT 5 rules mqtt-packet does not enforce, checked before and after it decodes a packet. It turns ill-formed
// UTF-8 into U+FFFD and lets U+0000 through, so strings are checked on the raw frame; it also accepts packet
// id 0 and a PINGREQ with a body. Only the strings the broker acts on are checked: client id, will topic,
// user name, topic names and filters. Anything structurally broken is left for mqtt-packet to report.
import { isUtf8 } from 'node:buffer';
import type { Packet } from 'mqtt-packet';
import { ReasonCode } from './reason-codes.js';

export interface Violation {
  reasonCode: number;
  reason: string;
  /** Set for a CONNECT: the protocol level it asked for, so the refusal can be worded in that version. */
  connectVersion?: number;
}

const PACKET = { connect: 1, publish: 3, subscribe: 8, unsubscribe: 10, pingreq: 12 } as const;

/** Reads a frame field by field; every read says `undefined` when the frame is too short for it. */
class Cursor {
  constructor(
    private readonly frame: Buffer,
    public pos: number,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.frame.length;
  }

  byte(): number | undefined {
    return this.pos < this.frame.length ? this.frame[this.pos++] : undefined;
  }

  skip(bytes: number): boolean {
    this.pos += bytes;
    return this.pos <= this.frame.length;
  }

  varInt(): number | undefined {
    let value = 0;
    for (let i = 0, multiplier = 1; i < 4; i++, multiplier *= 128) {
      const byte = this.byte();
      if (byte === undefined) return undefined;
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  }

  /** A length-prefixed field's bytes (UTF-8 string or binary data). */
  field(): Buffer | undefined {
    if (this.pos + 2 > this.frame.length) return undefined;
    const length = this.frame.readUInt16BE(this.pos);
    const start = this.pos + 2;
    if (start + length > this.frame.length) return undefined;
    this.pos = start + length;
    return this.frame.subarray(start, start + length);
  }

  skipProperties(): boolean {
    const length = this.varInt();
    return length !== undefined && this.skip(length);
  }
}

/** Why a UTF-8 string field is not allowed (MQTT 5 §1.5.4), if it is not. */
function stringProblem(bytes: Buffer): string | undefined {
  if (!isUtf8(bytes)) return 'is not well-formed UTF-8';
  if (bytes.includes(0)) return 'contains U+0000';
  return undefined;
}

function remainingStart(frame: Buffer): number {
  let i = 1;
  while (i < 5 && ((frame[i] ?? 0) & 0x80) !== 0) i++;
  return i + 1;
}

/**
 * The first rule a raw frame breaks, if any. `protocolVersion` is the connection's, used for every packet but
 * CONNECT (which states its own).
 */
export function frameViolation(frame: Buffer, protocolVersion: 4 | 5): Violation | undefined {
  const type = (frame[0] ?? 0) >> 4;
  const cursor = new Cursor(frame, remainingStart(frame));
  const malformed = (what: string, problem: string): Violation => ({ reasonCode: ReasonCode.malformedPacket, reason: `${what} ${problem}` });
  switch (type) {
    case PACKET.pingreq:
      return cursor.atEnd ? undefined : { reasonCode: ReasonCode.malformedPacket, reason: 'PINGREQ with a payload' };
    case PACKET.publish: {
      const topic = cursor.field();
      const problem = topic && stringProblem(topic);
      return problem ? malformed('topic name', problem) : undefined;
    }
    case PACKET.subscribe:
    case PACKET.unsubscribe: {
      if (!cursor.skip(2) || (protocolVersion === 5 && !cursor.skipProperties())) return undefined;
      while (!cursor.atEnd) {
        const filter = cursor.field();
        if (!filter) return undefined;
        const problem = stringProblem(filter);
        if (problem) return malformed('topic filter', problem);
        if (type === PACKET.subscribe && !cursor.skip(1)) return undefined;
      }
      return undefined;
    }
    case PACKET.connect:
      return connectViolation(cursor);
    default:
      return undefined;
  }
}

function connectViolation(cursor: Cursor): Violation | undefined {
  if (!cursor.field()) return undefined;
  const version = cursor.byte();
  const flags = cursor.byte();
  if (version === undefined || flags === undefined || !cursor.skip(2)) return undefined;
  if (version === 5 && !cursor.skipProperties()) return undefined;
  const refuse = (reasonCode: number, reason: string): Violation => ({ reasonCode, reason, connectVersion: version });
  const clientId = cursor.field();
  if (!clientId) return undefined;
  const idProblem = stringProblem(clientId);
  // A client id the broker cannot take has a reason code of its own (MQTT 5 §3.1.3.1): the client learns what to fix.
  if (idProblem) return refuse(ReasonCode.clientIdentifierNotValid, `client identifier ${idProblem}`);
  if ((flags & 0x04) !== 0) {
    if (version === 5 && !cursor.skipProperties()) return undefined;
    const willTopic = cursor.field();
    if (!willTopic) return undefined;
    const problem = stringProblem(willTopic);
    if (problem) return refuse(ReasonCode.malformedPacket, `will topic ${problem}`);
    if (!cursor.field()) return undefined;
  }
  if ((flags & 0x80) !== 0) {
    const username = cursor.field();
    const problem = username && stringProblem(username);
    if (problem) return refuse(ReasonCode.malformedPacket, `user name ${problem}`);
  }
  return undefined;
}

/** Rules about decoded packets: a QoS 1 PUBLISH, a SUBSCRIBE and an UNSUBSCRIBE need a non-zero packet id (MQTT 5 §2.2.1). */
export function packetViolation(packet: Packet): Violation | undefined {
  const needsId = (packet.cmd === 'publish' && packet.qos > 0) || packet.cmd === 'subscribe' || packet.cmd === 'unsubscribe';
  if (needsId && packet.messageId === 0) return { reasonCode: ReasonCode.protocolError, reason: `${packet.cmd} with packet identifier 0` };
  return undefined;
}
