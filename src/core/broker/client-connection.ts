import type { Socket } from 'node:net';
import * as mqttPacket from 'mqtt-packet';
import type { IConnectPacket, IDisconnectPacket, IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet, UserProperties } from 'mqtt-packet';
import { answerRefusal, type AuthorizeHooks } from './authorizer.js';
import { performance } from 'node:perf_hooks';
import { FrameReader, type FrameEvent } from './frame-reader.js';
import { connectEvent, observedAt, subscribeEvent, type BrokerObserver } from './observer.js';
import { forwardedProperties, type BrokerMessage } from './message.js';
import { Outbound } from './outbound.js';
import { frameViolation, packetViolation } from './packet-rules.js';
import { LegacyConnackCode, ReasonCode } from './reason-codes.js';
import { serveSubscribe } from './subscribe.js';
import { acceptingConnack, judgeConnect, refusingConnack } from './connect-packet.js';
import type { SubscriptionOptions } from './subscription-trie.js';
import { isValidTopicName } from './topics.js';
import { willFromConnect } from './will.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What a connection needs from the broker it belongs to. */
export interface ConnectionHost extends AuthorizeHooks {
  readonly maxPacketSize: number;
  readonly topicAliasMaximum: number;
  readonly noDelay: boolean;
  /** Outbound bytes held per client at most (see Outbound). */
  readonly maxQueuedBytes: number;
  /** Called as `observe?.(...)`, so no event object is even built when nobody observes. */
  readonly observe: BrokerObserver | undefined;
  log(level: LogLevel, message: string): void;
  attach(connection: ClientConnection): void;
  detach(connection: ClientConnection): void;
  /** Registers the client id (taking over an older holder) and returns extra CONNACK user properties. */
  admit(connection: ClientConnection, connect: IConnectPacket): UserProperties | undefined;
  /** The connection's session ended: forget its registration and subscriptions. */
  release(connection: ClientConnection, filters: Iterable<string>): void;
  publish(message: BrokerMessage): number;
  subscribe(connection: ClientConnection, filter: string, options: SubscriptionOptions): boolean;
  unsubscribe(connection: ClientConnection, filter: string): boolean;
  retainedFor(filter: string): BrokerMessage[];
  countOut(): void;
  countIn(): void;
}

/** A client that never sends CONNECT is dropped after this long. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a closing connection may take to flush its last packets before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** Longest stretch one request (a huge SUBSCRIBE) may hold the broker's thread before other clients get a turn. */
const SLICE_MS = 5;

/** One client's network connection and its (clean, non-persistent) session. */
export class ClientConnection {
  clientId = '';
  private state: 'awaiting-connect' | 'connected' | 'closed' = 'awaiting-connect';
  private protocolVersion: 4 | 5 = 5;
  private will: BrokerMessage | undefined;
  private username: string | undefined;
  // The codec learns the protocol version from the CONNECT it parses, so one parser serves 3.1.1 and 5.
  private readonly parser = mqttPacket.parser();
  private readonly frames: FrameReader;
  private keepAliveMs = 0;
  private lastReceivedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly topicAliases = new Map<number, string>();
  private outbound: Outbound | undefined;
  private readonly filters = new Set<string>();
  /** Packets that arrived while a request was still being served in slices; they wait their turn, in order. */
  private heldBack: Packet[] | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    socket.setNoDelay(host.noDelay);
    host.attach(this);
    this.frames = new FrameReader(host.maxPacketSize, (event) => this.onFrame(event));
    this.parser.on('packet', (packet: Packet) => this.onPacket(packet));
    this.parser.on('error', (err: Error) => this.onCodecError(err));
    socket.on('data', (chunk: Buffer) => {
      this.lastReceivedAt = Date.now();
      this.guard(() => this.frames.push(chunk));
    });
    socket.on('error', (err) => this.host.log('debug', `socket error (${this.describe()}): ${err.message}`));
    socket.on('close', () => {
      this.guard(() => this.terminate(undefined, true));
      this.host.detach(this);
    });
    this.timer = setTimeout(() => {
      if (this.state === 'awaiting-connect') this.terminate(undefined, false);
    }, CONNECT_TIMEOUT_MS);
    this.timer.unref();
  }

  /** Another connection claimed this client id: the session ends, so the will is due (MQTT 5 §3.1.4). */
  takenOver(): void {
    this.terminate(ReasonCode.sessionTakenOver, true, 'another connection took over this client id');
  }

  /** Broker shutdown: close at once and publish no will, since no one is left to receive it. */
  shutdown(): void {
    this.terminate(ReasonCode.serverShuttingDown, false);
    this.socket.destroy();
  }

  /** Sends one routed message at the QoS the subscription allows. */
  deliver(message: BrokerMessage, qos: 0 | 1, retainFlag: boolean, subscriptionIdentifiers: number[]): void {
    if (this.state === 'connected') this.outbound?.send(message, qos, retainFlag, subscriptionIdentifiers);
  }

  private onFrame(event: FrameEvent): void {
    if (event.kind === 'frame') {
      if (!this.breaksRules(event.bytes)) this.parser.parse(event.bytes);
    } else if (event.kind === 'too-large') this.terminate(ReasonCode.packetTooLarge, true, `packet of ${event.size} bytes exceeds ${this.host.maxPacketSize}`);
    else this.terminate(ReasonCode.malformedPacket, true, 'invalid remaining length');
  }

  /** Checks what the codec lets through (issue 14 D12); a broken rule ends the connection with its reason code. */
  private breaksRules(frame: Buffer): boolean {
    if (this.state === 'closed') return true;
    const isConnect = (frame[0] ?? 0) >> 4 === 1;
    // A CONNECT out of place and anything before CONNECT are the codec's and onPacket's to refuse.
    if (isConnect !== (this.state === 'awaiting-connect')) return false;
    const violation = frameViolation(frame, this.protocolVersion);
    if (!violation) return false;
    if (violation.connectVersion === undefined) {
      this.terminate(violation.reasonCode, true, violation.reason);
      return true;
    }
    this.protocolVersion = violation.connectVersion === 5 ? 5 : 4;
    this.refuse(violation.reasonCode, violation.reason);
    return true;
  }

  private onCodecError(err: Error): void {
    if (this.state === 'awaiting-connect' && /protocol version|protocolId/i.test(err.message)) {
      // The client's dialect is unknown, so answer in the oldest CONNACK format every version can read.
      this.writeRaw(Buffer.from([0x20, 0x02, 0x00, LegacyConnackCode.unacceptableProtocolVersion]));
    }
    this.terminate(ReasonCode.malformedPacket, true, err.message);
  }

  /** Any bug or unexpected input ends this one connection, never the process. */
  private guard(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.host.log('error', `closing ${this.describe()} after internal error: ${(err as Error).stack ?? String(err)}`);
      this.terminate(ReasonCode.implementationSpecificError, true);
    }
  }

  private onPacket(packet: Packet): void {
    if (this.state === 'closed') return;
    if (this.heldBack) {
      this.heldBack.push(packet);
      return;
    }
    if (this.state === 'awaiting-connect') {
      if (packet.cmd === 'connect') this.onConnect(packet);
      else this.terminate(undefined, false);
      return;
    }
    const violation = packetViolation(packet);
    if (violation) return this.terminate(violation.reasonCode, true, violation.reason);
    switch (packet.cmd) {
      case 'publish':
        return this.onPublish(packet);
      case 'puback':
        this.host.observe?.({ type: 'puback', at: observedAt(), clientId: this.clientId, messageId: packet.messageId ?? 0 });
        return this.outbound?.acknowledged(packet.messageId);
      case 'subscribe':
        return this.onSubscribe(packet);
      case 'unsubscribe':
        return this.onUnsubscribe(packet);
      case 'pingreq':
        this.send({ cmd: 'pingresp' });
        return;
      case 'disconnect':
        return this.onDisconnect(packet);
      default:
        // A second CONNECT, QoS 2 flow packets (never started here) and AUTH (no auth methods) are all out of place.
        return this.terminate(ReasonCode.protocolError, true, `unexpected ${packet.cmd} packet`);
    }
  }

  private onConnect(connect: IConnectPacket): void {
    const verdict = judgeConnect(connect);
    if (verdict.kind === 'unacceptable-version') {
      this.writeRaw(Buffer.from([0x20, 0x02, 0x00, LegacyConnackCode.unacceptableProtocolVersion]));
      return this.terminate(undefined, false);
    }
    this.protocolVersion = verdict.version;
    if (verdict.kind === 'refused') return this.refuse(verdict.reasonCode, verdict.reasonString);
    const props = connect.properties ?? {};
    this.clientId = verdict.clientId;
    this.keepAliveMs = (connect.keepalive ?? 0) * 1500;
    this.outbound = new Outbound(
      this.socket,
      {
        protocolVersion: verdict.version,
        maximumPacketSize: props.maximumPacketSize || Number.POSITIVE_INFINITY,
        receiveMaximum: props.receiveMaximum || 65_535,
        maxQueuedBytes: this.host.maxQueuedBytes,
      },
      () => this.host.countOut(),
      (message) => this.host.log('warn', `${this.describe()}: ${message}`),
      (detail) => {
        this.host.log('warn', `disconnecting ${this.describe()} with 0x97 quota exceeded: ${detail}`);
        this.terminate(ReasonCode.quotaExceeded, true, detail);
      },
    );
    this.will = willFromConnect(connect, this, Date.now());

    this.state = 'connected';
    this.username = connect.username;
    const userProperties = this.host.admit(this, connect);
    this.host.observe?.(connectEvent(connect, this.clientId, userProperties));
    this.send(acceptingConnack(verdict, this.host, userProperties));
    this.armKeepAlive();
  }

  /** Declines a CONNECT with the given reason. */
  private refuse(reasonCode: number, reasonString: string): void {
    this.host.log('info', `refused CONNECT from ${this.describe()}: ${reasonString}`);
    this.send(refusingConnack(this.protocolVersion, reasonCode, reasonString));
    this.will = undefined;
    this.terminate(undefined, false);
  }

  private armKeepAlive(): void {
    clearTimeout(this.timer);
    if (this.keepAliveMs === 0 || this.state !== 'connected') return;
    const dueIn = this.lastReceivedAt + this.keepAliveMs - Date.now();
    this.timer = setTimeout(() => this.guard(() => {
      // While its own request is still being served the broker is not reading this client, so its silence proves nothing.
      if (Date.now() - this.lastReceivedAt >= this.keepAliveMs && !this.heldBack) this.terminate(ReasonCode.keepAliveTimeout, true, 'keep alive timeout');
      else this.armKeepAlive();
    }), Math.max(dueIn, 0));
    this.timer.unref();
  }

  private onPublish(packet: IPublishPacket): void {
    this.host.countIn();
    if (packet.qos === 2) return this.terminate(ReasonCode.qosNotSupported, true, 'maximum QoS is 1');
    let topic = packet.topic;
    const props = packet.properties ?? {};
    if (props.topicAlias !== undefined) {
      if (props.topicAlias === 0 || props.topicAlias > this.host.topicAliasMaximum) {
        return this.terminate(ReasonCode.topicAliasInvalid, true, `topic alias ${props.topicAlias} out of range`);
      }
      if (topic.length > 0) this.topicAliases.set(props.topicAlias, topic);
      else {
        const known = this.topicAliases.get(props.topicAlias);
        if (known === undefined) return this.terminate(ReasonCode.protocolError, true, `unknown topic alias ${props.topicAlias}`);
        topic = known;
      }
    }
    if (!isValidTopicName(topic)) return this.terminate(ReasonCode.topicNameInvalid, true, `invalid topic name '${topic}'`);
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.host.observe?.({ type: 'publish', at: observedAt(), clientId: this.clientId, topic, qos: packet.qos, retain: packet.retain, properties: props, payloadLength: payload.length, payload });
    const refusal = this.host.authorizePublish?.({ clientId: this.clientId, username: this.username, topic, payload, qos: packet.qos, retain: packet.retain, userProperties: props.userProperties });
    if (refusal) return answerRefusal(refusal, packet.qos === 1 ? packet.messageId : undefined, this.protocolVersion, (m) => this.deliver(m, 0, false, []), (p) => this.send(p));
    const reached = this.host.publish({
      topic,
      payload,
      qos: packet.qos,
      retain: packet.retain,
      properties: forwardedProperties(props),
      expiresAt: props.messageExpiryInterval === undefined ? undefined : Date.now() + props.messageExpiryInterval * 1000,
      origin: this,
    });
    // MQTT 5 §3.4.2.1: 0x10 tells a publisher nobody got it (clients use it to resend a lost initialize).
    const reasonCode = reached > 0 || this.protocolVersion !== 5 ? ReasonCode.success : ReasonCode.noMatchingSubscribers;
    if (packet.qos === 1) this.send({ cmd: 'puback', messageId: packet.messageId, reasonCode });
  }

  private onSubscribe(packet: ISubscribePacket): void {
    if (packet.subscriptions.length === 0) return this.terminate(ReasonCode.protocolError, true, 'SUBSCRIBE without topic filters');
    this.host.observe?.(subscribeEvent(packet, this.clientId));
    this.runInSlices(serveSubscribe(packet, {
      protocolVersion: this.protocolVersion,
      subscribe: (filter, options) => {
        this.filters.add(filter);
        return this.host.subscribe(this, filter, options);
      },
      retainedFor: (filter) => this.host.retainedFor(filter),
      authorize: this.host.authorizeSubscribe && ((filter) => this.host.authorizeSubscribe?.({ clientId: this.clientId, username: this.username, filter })),
      send: (reply) => this.send(reply),
      deliver: (message, qos, retainFlag, ids) => this.deliver(message, qos, retainFlag, ids),
    }));
  }

  /**
   * Runs a request's steps for at most SLICE_MS, then lets other clients have the thread and continues once
   * this client has room for more output. Its own later packets wait until the request is done. A small
   * request finishes in its first slice, synchronously, as if there were no slicing at all.
   */
  private runInSlices(work: Generator<void, void, void>): void {
    if (this.state !== 'connected') return;
    const deadline = performance.now() + SLICE_MS;
    let finished = false;
    this.socket.cork();
    try {
      for (let steps = 1; ; steps++) {
        if (work.next().done === true) {
          finished = true;
          break;
        }
        if (this.state !== 'connected') return;
        if (this.outbound?.hasRoom() === false || (steps % 64 === 0 && performance.now() > deadline)) break;
      }
    } finally {
      this.socket.uncork();
    }
    if (finished) return this.releaseHeldBack();
    if (!this.heldBack) {
      this.heldBack = [];
      this.socket.pause();
    }
    this.outbound?.whenRoom(() => setImmediate(() => this.guard(() => this.runInSlices(work))));
  }

  private releaseHeldBack(): void {
    const held = this.heldBack;
    if (!held) return;
    this.heldBack = undefined;
    while (held.length > 0 && this.state !== 'closed') {
      this.onPacket(held.shift() as Packet);
      if (this.heldBack) {
        // Another long request started: the rest waits behind it, still in order.
        (this.heldBack as Packet[]).push(...held);
        return;
      }
    }
    // The time spent not reading this client does not count against its keep alive.
    this.lastReceivedAt = Date.now();
    this.socket.resume();
  }

  private onUnsubscribe(packet: IUnsubscribePacket): void {
    if (packet.unsubscriptions.length === 0) return this.terminate(ReasonCode.protocolError, true, 'UNSUBSCRIBE without topic filters');
    this.host.observe?.({ type: 'unsubscribe', at: observedAt(), clientId: this.clientId, filters: packet.unsubscriptions });
    const granted = packet.unsubscriptions.map((filter) => {
      this.filters.delete(filter);
      return this.host.unsubscribe(this, filter) ? ReasonCode.success : 0x11; // 0x11: No subscription existed
    });
    this.send({ cmd: 'unsuback', messageId: packet.messageId, granted });
  }

  private onDisconnect(packet: IDisconnectPacket): void {
    // Only "disconnect with Will Message" keeps the will; any other client-sent reason discards it, as Mosquitto does.
    const keepWill = packet.reasonCode === ReasonCode.disconnectWithWill;
    this.host.observe?.({ type: 'disconnect', at: observedAt(), clientId: this.clientId, reasonCode: packet.reasonCode ?? 0 });
    this.terminate(undefined, keepWill);
  }

  /**
   * Ends the connection exactly once: optionally tells the client why (MQTT 5 only), forgets the session,
   * then publishes the will if asked to. Synchronous, so a takeover's will goes out before the new CONNACK.
   */
  private terminate(reasonCode: number | undefined, publishWill: boolean, reasonString?: string): void {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    clearTimeout(this.timer);
    this.frames.stop();
    if (reasonCode !== undefined) this.host.log('debug', `closing ${this.describe()}: reason 0x${reasonCode.toString(16)} ${reasonString ?? ''}`);
    if (wasConnected && reasonCode !== undefined && this.protocolVersion === 5) {
      this.send({ cmd: 'disconnect', reasonCode, ...(reasonString ? { properties: { reasonString } } : {}) });
    }
    if (!this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    if (!wasConnected) return;
    const will = publishWill ? this.will : undefined;
    this.will = undefined;
    this.outbound?.discard();
    this.host.release(this, this.filters);
    this.host.observe?.({ type: 'close', at: observedAt(), clientId: this.clientId, reason: reasonString ?? 'connection closed', willPublished: will !== undefined });
    if (will) this.host.publish(will);
  }

  private send(packet: Packet): void {
    const bytes = this.encode(packet);
    if (bytes) this.writeRaw(bytes);
  }

  private encode(packet: Packet): Buffer | undefined {
    try {
      return mqttPacket.generate(packet, { protocolVersion: this.protocolVersion });
    } catch (err) {
      this.host.log('error', `cannot encode ${packet.cmd} for ${this.describe()}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private writeRaw(bytes: Buffer): void {
    if (this.socket.writable) this.socket.write(bytes);
  }

  private describe(): string {
    return this.clientId ? `client '${this.clientId}'` : `connection from ${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }
}
