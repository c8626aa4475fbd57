// One MQTT 5 connection as the transport needs it: the spec's CONNECT settings, Nagle off, a topic router
// shared by many MCP sessions, reference-counted subscriptions that come back after a reconnect, reconnect
// with backoff, and a payload size limit applied before anything is parsed.
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import type { UserProperties, ComponentType } from '../protocol/properties.js';
import { connectProperties } from '../protocol/properties.js';
import { compileTopicFilter } from '../protocol/topics.js';
import { type BrokerConfig, describeConnectError, isFatalConnectError, toClientOptions } from './options.js';
import { type Logger, nullLogger } from '../util/logger.js';
import { SilenceWatch } from './silence-watch.js';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

export interface MqttConnectionOptions {
  broker: BrokerConfig;
  clientId: string;
  componentType: ComponentType;
  meta?: Record<string, unknown>;
  will?: { topic: string; payload: string | Buffer; retain: boolean; qos?: 0 | 1; userProperties?: UserProperties };
  /** MQTT keepalive (default 15 s): an idle connection sends PINGREQ this often. */
  keepaliveSeconds?: number;
  /**
   * How long the broker may stay silent while it owes this connection an answer (PINGACK, PUBACK, SUBACK)
   * before the link is declared dead (default 10 s). A blackholed TCP connection (no RST) is otherwise found
   * only by the OS, minutes later.
   */
  responseTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Reconnect after loss with exponential backoff; false turns reconnecting off (CLI one-shots, simulated crashes). */
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
  /** Incoming payloads above this size are dropped (with a 'dropped' event) without being parsed. */
  maxPayloadBytes?: number;
  logger?: Logger;
}

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
  userProperties: UserProperties | undefined;
}

export type MessageHandler = (message: IncomingMessage) => void;
export interface SubscribeOptions {
  qos?: 0 | 1;
  noLocal?: boolean;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
const GRACEFUL_END_MS = 2_000;
export const DEFAULT_KEEPALIVE_SECONDS = 15;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 10_000;
const noLog = (): void => undefined;
const mqttDebugWanted = (): boolean => /mqttjs/.test(process.env.DEBUG ?? '');
/** PUBACK reason 0x10: the broker had no subscriber for the message (MQTT 5 §3.4.2.1). */
const NO_MATCHING_SUBSCRIBERS = 0x10;

export interface PublishOutcome {
  /** The broker said nobody was subscribed (QoS 1 on MQTT 5 brokers that report it: Mosquitto, EMQX, embedded). */
  noSubscribers: boolean;
}
const DEFAULT_RECONNECT = { initialDelayMs: 500, maxDelayMs: 30_000 };

interface Subscription {
  refs: number;
  options: Required<SubscribeOptions>;
  ready: Promise<void>;
}

/**
 * Events: 'state' (state, reason?), 'lost' (reason: the connection dropped; sessions must fail fast),
 * 'resubscribed' (after a reconnect, once every subscription is back), 'dropped' (topic, bytes),
 * 'handlerError' (topic, error).
 */
export class MqttConnection extends EventEmitter {
  private client: MqttClient | undefined;
  private currentState: ConnectionState = 'idle';
  private lastError: string | undefined;
  private readonly exact = new Map<string, Set<MessageHandler>>();
  private readonly wildcard: { matches: (topic: string) => boolean; handler: MessageHandler }[] = [];
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly reconnectPolicy: { initialDelayMs: number; maxDelayMs: number } | false;
  private reconnectDelay: number;
  private readonly maxPayloadBytes: number;
  private readonly log: Logger;
  private connackUserProperties: UserProperties | undefined;
  private everConnected = false;
  private refused = false;
  private readonly noSubscriberAcks = new Set<number>();

  constructor(readonly options: MqttConnectionOptions) {
    super();
    // Every open session listens for 'lost' (and removes itself on close): a fleet client holds hundreds.
    this.setMaxListeners(0);
    this.reconnectPolicy = options.reconnect === undefined ? DEFAULT_RECONNECT : options.reconnect;
    this.reconnectDelay = this.reconnectPolicy ? this.reconnectPolicy.initialDelayMs : 0;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.log = options.logger ?? nullLogger;
  }

  get state(): ConnectionState {
    return this.currentState;
  }
  get clientId(): string {
    return this.options.clientId;
  }
  get connected(): boolean {
    return this.currentState === 'connected';
  }
  /** Why the last connection attempt failed or dropped, in words a person can act on. */
  get failureReason(): string | undefined {
    return this.lastError;
  }
  /** User properties of the latest CONNACK (MCP-SERVER-NAME, MCP-SERVER-NAME-FILTERS, MCP-RBAC). */
  get connack(): UserProperties | undefined {
    return this.connackUserProperties;
  }

  /**
   * Connects and resolves on the first CONNACK. Rejects with a readable reason when the first attempt fails;
   * with reconnect on, the connection keeps trying in the background afterwards (state 'reconnecting').
   */
  connect(): Promise<void> {
    if (this.client) throw new Error('MqttConnection.connect() called twice');
    const { options } = this;
    const clientOptions: IClientOptions = {
      ...toClientOptions(options.broker),
      clientId: options.clientId,
      protocolVersion: 5,
      clean: true,
      keepalive: options.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      reconnectPeriod: this.reconnectPolicy ? this.reconnectPolicy.initialDelayMs : 0,
      // Subscriptions are restored by this class, so it knows when they are all back.
      resubscribe: false,
      // A request published while offline must fail now, not be replayed minutes later.
      queueQoSZero: false,
      // Listeners must be attached before the CONNECT is written (the no-delay hook below needs it).
      manualConnect: true,
      // A keepalive timer cleared and set again on every PUBACK costs more per tool call than the rest of the
      // acknowledgement; without it a PINGREQ goes every keepalive period even on a busy connection.
      reschedulePings: false,
      // MQTT.js formats a debug line for every packet step; a no-op logger skips that unless asked for.
      ...(mqttDebugWanted() ? {} : { log: noLog }),
      properties: {
        sessionExpiryInterval: 0,
        userProperties: connectProperties(options.componentType, options.meta),
      },
    };
    if (options.will) {
      clientOptions.will = {
        topic: options.will.topic,
        payload: Buffer.from(options.will.payload),
        retain: options.will.retain,
        qos: options.will.qos ?? 0,
        properties: options.will.userProperties ? { userProperties: options.will.userProperties } : {},
      };
    }
    this.setState('connecting');
    const client = mqtt.connect(clientOptions);
    this.client = client;

    const silence = new SilenceWatch(client, options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS, () => this.client === client && this.connected, (reason) => {
      this.lastError = reason;
      this.log.warn(`mqtt ${options.broker.url} (${options.clientId}): ${reason}`);
    });
    // One listener per packet event (an emitter copies its listener array on every emit when there are several).
    client.on('packetsend', (packet) => {
      // MQTT.js leaves Nagle's algorithm on; with it, each small request can wait 40 ms for an ACK.
      if (packet.cmd === 'connect') (client.stream as Partial<Socket> | undefined)?.setNoDelay?.(true);
      silence.sent(packet);
    });
    client.on('packetreceive', (packet) => {
      silence.received(packet);
      if (packet.cmd === 'puback' && packet.reasonCode === NO_MATCHING_SUBSCRIBERS && packet.messageId !== undefined) this.noSubscriberAcks.add(packet.messageId);
    });
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet));
    // MQTT.js writes the PUBACK right after the handlers and flushes it on the next tick, before promise
    // continuations run: the answer an SDK Server (or the next request an SDK Client) publishes a few
    // microtasks later then costs a second write. Acknowledging after those microtasks sends both in one.
    client.handleMessage = (_packet, done) => queueMicrotask(() => done());

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: string): void => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(new Error(error));
      };
      client.on('connect', (connack) => {
        this.connackUserProperties = connack.properties?.userProperties;
        this.reconnectDelay = this.reconnectPolicy ? this.reconnectPolicy.initialDelayMs : 0;
        this.lastError = undefined;
        const first = !this.everConnected;
        this.everConnected = true;
        this.setState('connected');
        if (first) settle();
        else void this.restoreSubscriptions();
      });
      client.on('error', (err) => {
        this.lastError = describeConnectError(err, options.broker.url);
        this.log.warn(`mqtt ${options.broker.url} (${options.clientId}): ${this.lastError}`);
        if (isFatalConnectError(err)) {
          // MQTT.js stops retrying after a CONNACK refusal; so does this connection, visibly.
          this.refused = true;
          client.end(true);
          this.setState('failed', this.lastError);
          settle(this.lastError);
          return;
        }
        if (!this.everConnected) {
          if (!this.reconnectPolicy) client.end(true);
          this.setState(this.reconnectPolicy ? 'reconnecting' : 'failed', this.lastError);
          settle(this.lastError);
        }
      });
      client.on('close', () => {
        silence.stop();
        this.noSubscriberAcks.clear();
        if (this.currentState === 'closed' || this.refused) return;
        const reason = this.lastError ?? 'connection to the broker closed';
        if (this.currentState === 'connected') this.emit('lost', `lost connection to ${options.broker.url}: ${reason}`);
        if (!this.reconnectPolicy || client.disconnecting) {
          this.setState(this.everConnected ? 'closed' : 'failed', reason);
          settle(reason);
          return;
        }
        this.setState('reconnecting', reason);
        // Exponential backoff: MQTT.js reads reconnectPeriod each time it schedules the next attempt.
        client.options.reconnectPeriod = this.reconnectDelay;
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.reconnectPolicy.maxDelayMs);
        if (!this.everConnected) settle(reason);
      });
      client.on('disconnect', (packet) => {
        const code = packet.reasonCode ?? 0;
        this.lastError = `broker sent DISCONNECT (reason ${code}${packet.properties?.reasonString ? `: ${packet.properties.reasonString}` : ''})`;
      });
      client.connect();
    });
  }

  private setState(state: ConnectionState, reason?: string): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state, reason);
  }

  private dispatch(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (payload.length > this.maxPayloadBytes) {
      this.log.warn(`dropped ${payload.length}-byte message on ${topic}: above the ${this.maxPayloadBytes}-byte limit`);
      this.emit('dropped', topic, payload.length);
      return;
    }
    const message: IncomingMessage = {
      topic,
      payload,
      retain: packet.retain,
      qos: packet.qos,
      userProperties: packet.properties?.userProperties,
    };
    const handlers = this.exact.get(topic);
    if (handlers) for (const h of handlers) this.invoke(h, message);
    for (const w of this.wildcard) if (w.matches(topic)) this.invoke(w.handler, message);
  }

  private invoke(handler: MessageHandler, message: IncomingMessage): void {
    try {
      handler(message);
    } catch (e) {
      // A broken handler must never take the connection (or the extension host) down with it.
      this.log.error(`handler for ${message.topic} threw`, e);
      this.emit('handlerError', message.topic, e);
    }
  }

  /** Routes messages matching `filter` to `handler`; does not subscribe. Returns a disposer. */
  route(filter: string, handler: MessageHandler): () => void {
    if (filter.includes('+') || filter.includes('#')) {
      const entry = { matches: compileTopicFilter(filter), handler };
      this.wildcard.push(entry);
      return () => {
        const i = this.wildcard.indexOf(entry);
        if (i >= 0) this.wildcard.splice(i, 1);
      };
    }
    let set = this.exact.get(filter);
    if (!set) this.exact.set(filter, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.exact.delete(filter);
    };
  }

  /** Subscribes (once per filter, reference-counted) and resolves when the broker has granted it. */
  subscribe(filter: string, options: SubscribeOptions = {}): Promise<void> {
    const existing = this.subscriptions.get(filter);
    if (existing) {
      existing.refs++;
      return existing.ready;
    }
    const opts = { qos: options.qos ?? 1, noLocal: options.noLocal ?? false };
    const sub: Subscription = { refs: 1, options: opts, ready: this.sendSubscribe({ [filter]: opts }) };
    this.subscriptions.set(filter, sub);
    sub.ready.catch(() => {
      if (this.subscriptions.get(filter) === sub) this.subscriptions.delete(filter);
    });
    return sub.ready;
  }

  async unsubscribe(filter: string): Promise<void> {
    const sub = this.subscriptions.get(filter);
    if (!sub) return;
    if (--sub.refs > 0) return;
    this.subscriptions.delete(filter);
    const client = this.client;
    if (!client || !this.connected) return;
    await new Promise<void>((resolve) => client.unsubscribe(filter, () => resolve()));
  }

  private sendSubscribe(filters: Record<string, Required<SubscribeOptions>>): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) return Promise.reject(new Error('not connected to the broker'));
    const map: Record<string, { qos: 0 | 1; nl: boolean }> = {};
    for (const [f, o] of Object.entries(filters)) map[f] = { qos: o.qos, nl: o.noLocal };
    return new Promise<void>((resolve, reject) => {
      client.subscribe(map, (err, granted) => {
        if (err) return reject(new Error(`subscribe failed: ${err.message}`));
        const refused = (granted ?? []).filter((g) => g.qos >= 0x80);
        if (refused.length > 0)
          return reject(new Error(`broker refused subscription ${refused.map((g) => `${g.topic} (reason ${g.qos})`).join(', ')}`));
        resolve();
      });
    });
  }

  private async restoreSubscriptions(): Promise<void> {
    const byOptions = new Map<string, Record<string, Required<SubscribeOptions>>>();
    for (const [filter, sub] of this.subscriptions) {
      const key = `${sub.options.qos}:${sub.options.noLocal}`;
      const group = byOptions.get(key) ?? {};
      group[filter] = sub.options;
      byOptions.set(key, group);
    }
    try {
      await Promise.all([...byOptions.values()].map((group) => this.sendSubscribe(group)));
      this.emit('resubscribed');
    } catch (e) {
      this.log.error('restoring subscriptions after reconnect failed', e);
    }
  }

  /**
   * Resolves once everything the broker queued for this connection before now has been delivered (a
   * subscribe/unsubscribe round trip on a private topic: brokers answer in order). Discovery uses it to know
   * the retained presence snapshot is complete without waiting a fixed time.
   */
  async sync(): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) throw new Error('not connected to the broker');
    await new Promise<void>((resolve) => client.unsubscribe(`$mcp-sync/${this.clientId}`, () => resolve()));
  }

  publish(
    topic: string,
    payload: string | Buffer,
    options: { qos?: 0 | 1; retain?: boolean; userProperties?: UserProperties } = {},
  ): Promise<PublishOutcome> {
    const client = this.client;
    if (!client || !this.connected)
      return Promise.reject(new Error(`not connected to the broker${this.lastError ? ` (${this.lastError})` : ''}`));
    const publishOptions: IClientPublishOptions = { qos: options.qos ?? 1, retain: options.retain ?? false };
    if (options.userProperties) publishOptions.properties = { userProperties: options.userProperties };
    return new Promise<PublishOutcome>((resolve, reject) => {
      client.publish(topic, payload, publishOptions, (err, packet) => {
        if (err) return reject(new Error(`publish failed: ${err.message}`));
        // MQTT.js hands back the stored PUBLISH; its id finds the PUBACK reason seen on 'packetreceive'.
        const id = packet?.messageId;
        resolve({ noSubscribers: id !== undefined && this.noSubscriberAcks.delete(id) });
      });
    });
  }

  /** Graceful close: DISCONNECT (the will is not published). */
  async close(): Promise<void> {
    const client = this.client;
    if (!client || this.currentState === 'closed') {
      this.setState('closed');
      return;
    }
    const wasConnected = this.connected;
    this.setState('closed');
    if (wasConnected) this.emit('lost', 'connection closed');
    // MQTT.js's graceful end waits for every unanswered request; a broker that lost one (Mosquitto drops an
    // UNSUBACK when it overflows a client's queue) would keep it waiting forever, so it is forced after a while.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => client.end(true, {}, () => resolve()), GRACEFUL_END_MS);
      client.end(false, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /** Drops the socket without DISCONNECT, as a crash or a pulled cable would: the broker publishes the will. */
  destroy(): void {
    const client = this.client;
    if (!client) return;
    const wasConnected = this.connected;
    this.setState('closed');
    if (wasConnected) this.emit('lost', 'connection destroyed');
    client.options.reconnectPeriod = 0;
    client.end(true);
  }
}
