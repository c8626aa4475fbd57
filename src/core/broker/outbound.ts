import type { Socket } from 'node:net';
import { isExpired, remainingExpirySeconds, type BrokerMessage } from './message.js';
import { encodePublish } from './publish-encoder.js';

/** Limits the client announced in its CONNECT, which bound what the broker may send it. */
export interface ClientLimits {
  protocolVersion: 4 | 5;
  /** Largest packet the client accepts; larger messages are skipped. */
  maximumPacketSize: number;
  /** How many QoS 1 messages may await PUBACK at once. */
  receiveMaximum: number;
}

interface QueuedDelivery {
  message: BrokerMessage;
  retainFlag: boolean;
  subscriptionIdentifiers: number[];
}

/** QoS 1 messages held back by the client's Receive Maximum before new ones are dropped. */
const MAX_QUEUED_QOS1 = 100_000;
/** Past this much unsent data the client is not keeping up, and further QoS 0 messages to it are dropped. */
const SLOW_CONSUMER_BYTES = 256 * 1024 * 1024;

/** PUBLISHes from the broker to one client: packet ids, the QoS 1 in-flight window, and the writes themselves. */
export class Outbound {
  private readonly inflight = new Set<number>();
  private readonly queued: QueuedDelivery[] = [];
  private nextPacketId = 1;

  constructor(
    private readonly socket: Socket,
    private readonly limits: ClientLimits,
    private readonly onSent: () => void,
    private readonly warn: (message: string) => void,
  ) {}

  send(message: BrokerMessage, qos: 0 | 1, retainFlag: boolean, subscriptionIdentifiers: number[]): void {
    if (qos === 1 && this.inflight.size >= this.limits.receiveMaximum) {
      if (this.queued.length >= MAX_QUEUED_QOS1) {
        this.warn(`dropping QoS 1 message on ${message.topic}: too many waiting for PUBACK`);
        return;
      }
      this.queued.push({ message, retainFlag, subscriptionIdentifiers });
      return;
    }
    this.write(message, qos, retainFlag, subscriptionIdentifiers);
  }

  /** A PUBACK frees a slot in the window, which the oldest held-back message takes. */
  acknowledged(packetId: number | undefined): void {
    if (packetId !== undefined) this.inflight.delete(packetId);
    while (this.queued.length > 0 && this.inflight.size < this.limits.receiveMaximum && this.socket.writable) {
      const next = this.queued.shift() as QueuedDelivery;
      this.write(next.message, 1, next.retainFlag, next.subscriptionIdentifiers);
    }
  }

  /** The session is over (clean sessions only), so nothing still waiting will ever be sent. */
  discard(): void {
    this.queued.length = 0;
    this.inflight.clear();
  }

  private write(message: BrokerMessage, qos: 0 | 1, retainFlag: boolean, subscriptionIdentifiers: number[]): void {
    const now = Date.now();
    if (isExpired(message, now)) return;
    if (qos === 0 && this.socket.writableLength > SLOW_CONSUMER_BYTES) {
      this.warn(`dropping QoS 0 message on ${message.topic}: client is not reading`);
      return;
    }
    const packetId = qos === 1 ? this.allocatePacketId() : undefined;
    const bytes = encodePublish(message, {
      qos,
      retain: retainFlag,
      protocolVersion: this.limits.protocolVersion,
      packetId,
      expirySeconds: remainingExpirySeconds(message, now),
      subscriptionIdentifiers,
    });
    // A message larger than the client accepts is discarded, as if delivered (MQTT 5 §3.1.2.11.4).
    if (bytes.length > this.limits.maximumPacketSize) {
      if (packetId !== undefined) this.inflight.delete(packetId);
      return;
    }
    this.socket.write(bytes);
    this.onSent();
  }

  private allocatePacketId(): number {
    while (this.inflight.has(this.nextPacketId)) this.nextPacketId = (this.nextPacketId % 65_535) + 1;
    const id = this.nextPacketId;
    this.nextPacketId = (id % 65_535) + 1;
    this.inflight.add(id);
    return id;
  }
}
