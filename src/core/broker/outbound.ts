import type { Socket } from 'node:net';
import { isExpired, remainingExpirySeconds, type BrokerMessage } from './message.js';
import { encodePublish } from './publish-encoder.js';

/** Limits the client announced in its CONNECT and the broker's own cap, which bound what may be sent to it. */
export interface ClientLimits {
  protocolVersion: 4 | 5;
  /** Largest packet the client accepts; larger messages are skipped. */
  maximumPacketSize: number;
  /** How many QoS 1 messages may await PUBACK at once (the client's Receive Maximum, MQTT 5 §3.1.2.11.3). */
  receiveMaximum: number;
  /** Bytes the broker holds for this client at most: unsent socket data plus QoS 1 messages held back by the window. */
  maxQueuedBytes: number;
}

interface QueuedDelivery {
  message: BrokerMessage;
  retainFlag: boolean;
  subscriptionIdentifiers: number[];
  size: number;
}

/** Bookkeeping per held-back delivery on top of its topic and payload, so many tiny messages still count. */
const ENTRY_OVERHEAD_BYTES = 128;

function approximateSize(message: BrokerMessage): number {
  return message.payload.length + message.topic.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * PUBLISHes from the broker to one client: packet ids, the QoS 1 in-flight window, the writes, and the cap on
 * what a client that does not keep up may cost. Past `maxQueuedBytes` a QoS 0 message is dropped (the newest
 * goes: QoS 0 may be lost) and a QoS 1 message ends the connection through `onQuotaExceeded`, because
 * dropping it would silently break at-least-once delivery.
 */
export class Outbound {
  private readonly inflight = new Set<number>();
  private readonly queued: QueuedDelivery[] = [];
  private queuedBytes = 0;
  private nextPacketId = 1;
  private droppedQos0 = 0;
  private waitingForRoom: Array<() => void> = [];
  private over = false;

  constructor(
    private readonly socket: Socket,
    private readonly limits: ClientLimits,
    private readonly onSent: () => void,
    private readonly warn: (message: string) => void,
    private readonly onQuotaExceeded: (detail: string) => void,
  ) {
    socket.on('drain', () => this.offerRoom());
  }

  /** Bytes held for this client now: written but unsent, plus held back by the in-flight window. */
  get pendingBytes(): number {
    return this.socket.writableLength + this.queuedBytes;
  }

  send(message: BrokerMessage, qos: 0 | 1, retainFlag: boolean, subscriptionIdentifiers: number[]): void {
    if (this.over) return;
    const size = approximateSize(message);
    // A message always fits an empty queue, so a limit below one message's size still lets it through.
    const fits = this.pendingBytes === 0 || this.pendingBytes + size <= this.limits.maxQueuedBytes;
    if (!fits) {
      if (qos === 0) return this.dropQos0(message);
      this.over = true;
      return this.onQuotaExceeded(`more than ${this.limits.maxQueuedBytes} bytes queued for a client that is not keeping up`);
    }
    if (qos === 1 && this.inflight.size >= this.limits.receiveMaximum) {
      this.queued.push({ message, retainFlag, subscriptionIdentifiers, size });
      this.queuedBytes += size;
      return;
    }
    this.write(message, qos, retainFlag, subscriptionIdentifiers);
  }

  /** A PUBACK frees a slot in the window, which the oldest held-back message takes. */
  acknowledged(packetId: number | undefined): void {
    if (packetId !== undefined) this.inflight.delete(packetId);
    while (this.queued.length > 0 && this.inflight.size < this.limits.receiveMaximum && this.socket.writable) {
      const next = this.queued.shift() as QueuedDelivery;
      this.queuedBytes -= next.size;
      this.write(next.message, 1, next.retainFlag, next.subscriptionIdentifiers);
    }
    this.offerRoom();
  }

  /**
   * Calls `resume` once less than half the limit is pending, so a producer that can wait (the retained
   * snapshot of a SUBSCRIBE) is paced by the client instead of filling the queue up to the drop point.
   */
  whenRoom(resume: () => void): void {
    if (this.hasRoom()) resume();
    else this.waitingForRoom.push(resume);
  }

  hasRoom(): boolean {
    return this.pendingBytes < this.limits.maxQueuedBytes / 2;
  }

  /** The session is over (clean sessions only), so nothing still waiting will ever be sent. */
  discard(): void {
    this.queued.length = 0;
    this.queuedBytes = 0;
    this.inflight.clear();
    this.waitingForRoom = [];
    this.over = true;
  }

  private offerRoom(): void {
    if (this.waitingForRoom.length === 0 || !this.hasRoom()) return;
    const waiting = this.waitingForRoom;
    this.waitingForRoom = [];
    for (const resume of waiting) resume();
  }

  private dropQos0(message: BrokerMessage): void {
    // One line per burst and then one per thousand, so a stuck client cannot flood the log either.
    if (this.droppedQos0++ % 1000 === 0) {
      this.warn(`dropping QoS 0 message on ${message.topic}: over ${this.limits.maxQueuedBytes} bytes queued (${this.droppedQos0} dropped so far)`);
    }
  }

  private write(message: BrokerMessage, qos: 0 | 1, retainFlag: boolean, subscriptionIdentifiers: number[]): void {
    const now = Date.now();
    if (isExpired(message, now)) return;
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
