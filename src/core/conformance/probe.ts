// The checker's own MCP client: one MQTT connection that sends hand-built JSON-RPC and keeps every message it
// receives exactly as it arrived (topic, RETAIN, user properties, arrival time), so checks can judge what the
// device did rather than what an SDK made of it.
import { performance } from 'node:perf_hooks';
import type { EventSink } from '../events/event-log.js';
import { storablePayload } from '../events/event-log.js';
import { MqttConnection, type IncomingMessage } from '../mqtt/connection.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { publishProperties, type UserProperties } from '../protocol/properties.js';
import { randomId } from '../util/ids.js';

export interface Observation {
  seq: number;
  /** performance.now() at arrival. */
  at: number;
  topic: string;
  retain: boolean;
  userProperties: UserProperties | undefined;
  payload: Buffer;
  /** The payload as a JSON object, when it is one. */
  json?: Record<string, unknown>;
}

export interface SentRequest {
  id: number;
  method: string;
  topic: string;
  /** The instance the request was meant for: its answer must come on a topic carrying this id. */
  serverId: string;
  sentAt: number;
}

export interface Answer {
  observation: Observation;
  message: Record<string, unknown>;
  elapsedMs: number;
}

type Waiter = { match: (o: Observation) => boolean; resolve: (o: Observation) => void; cancel?: () => void };

export class ClientProbe {
  readonly clientId: string;
  readonly observations: Observation[] = [];
  readonly requests = new Map<number, SentRequest>();
  private readonly connection: MqttConnection;
  private readonly properties: UserProperties;
  private readonly waiters = new Set<Waiter>();
  private nextId = 1;

  constructor(
    broker: BrokerConfig,
    private readonly events?: EventSink,
  ) {
    this.clientId = randomId('mqtt-mcp-check-');
    this.properties = publishProperties('mcp-client', this.clientId);
    this.connection = new MqttConnection({
      broker,
      clientId: this.clientId,
      componentType: 'mcp-client',
      meta: { implementation: 'mqtt-mcp-devkit conformance checker' },
      reconnect: false,
    });
  }

  open(): Promise<void> {
    return this.connection.connect();
  }

  async close(): Promise<void> {
    for (const w of this.waiters) {
      this.waiters.delete(w);
      w.cancel?.();
    }
    await this.connection.close().catch(() => undefined);
  }

  /** Routes and subscribes; resolves once the broker has granted the subscription. */
  async listen(filter: string, noLocal = false): Promise<void> {
    this.connection.route(filter, (m) => this.observe(m));
    await this.connection.subscribe(filter, { qos: 1, noLocal });
  }

  /** Resolves once everything the broker queued for this probe before now has arrived. */
  sync(): Promise<void> {
    return this.connection.sync();
  }

  private observe(m: IncomingMessage): void {
    const observation: Observation = {
      seq: this.observations.length,
      at: performance.now(),
      topic: m.topic,
      retain: m.retain,
      userProperties: m.userProperties,
      payload: m.payload,
    };
    try {
      const value: unknown = JSON.parse(m.payload.toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) observation.json = value as Record<string, unknown>;
    } catch {
      // Kept as raw bytes: checks that need JSON report it.
    }
    this.observations.push(observation);
    this.log('in', m.topic, observation.json ?? m.payload.toString('utf8'), m.payload.length, m.userProperties);
    for (const w of [...this.waiters]) {
      if (w.match(observation)) {
        this.waiters.delete(w);
        w.resolve(observation);
      }
    }
  }

  /** Publishes a JSON-RPC message with the client's user properties (spec §3). */
  async send(topic: string, message: Record<string, unknown>): Promise<void> {
    const payload = JSON.stringify({ jsonrpc: '2.0', ...message });
    this.log('out', topic, message, payload.length, this.properties);
    await this.connection.publish(topic, payload, { qos: 1, userProperties: this.properties });
  }

  /** Sends a request without waiting; the answer is matched later by id, on whatever topic it comes. */
  request(topic: string, serverId: string, method: string, params?: Record<string, unknown>): SentRequest {
    const sent: SentRequest = { id: this.nextId++, method, topic, serverId, sentAt: performance.now() };
    this.requests.set(sent.id, sent);
    // A failed publish shows up as a missing answer; the connection error is what the user needs then.
    this.send(topic, { id: sent.id, method, ...(params ? { params } : {}) }).catch(() => undefined);
    return sent;
  }

  /** The first response to `request`, or undefined after `timeoutMs`. */
  async answer(request: SentRequest, timeoutMs: number): Promise<Answer | undefined> {
    const observation = await this.waitFor((o) => isResponseTo(o, request.id), timeoutMs);
    if (!observation?.json) return undefined;
    return { observation, message: observation.json, elapsedMs: observation.at - request.sentAt };
  }

  async call(topic: string, serverId: string, method: string, params: Record<string, unknown> | undefined, timeoutMs: number): Promise<{ request: SentRequest; answer: Answer | undefined }> {
    const request = this.request(topic, serverId, method, params);
    return { request, answer: await this.answer(request, timeoutMs) };
  }

  /**
   * Calls `then` synchronously when the response to `request` arrives, before any other message is handled:
   * what a fast client does, and what shows whether the server subscribed before replying.
   */
  onAnswer(request: SentRequest, then: (o: Observation) => void): void {
    const existing = this.observations.find((o) => isResponseTo(o, request.id));
    if (existing) return then(existing);
    this.waiters.add({ match: (o) => isResponseTo(o, request.id), resolve: then });
  }

  /** Already-received or next observation matching `match`; undefined after `timeoutMs`. */
  waitFor(match: (o: Observation) => boolean, timeoutMs: number): Promise<Observation | undefined> {
    const existing = this.observations.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        match,
        resolve: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
        cancel: () => {
          clearTimeout(timer);
          resolve(undefined);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  answersTo(id: number): Observation[] {
    return this.observations.filter((o) => isResponseTo(o, id));
  }

  private log(direction: 'in' | 'out', topic: string, payload: unknown, size: number, userProperties: UserProperties | undefined): void {
    if (!this.events) return;
    const message = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
    const method = typeof message?.method === 'string' ? message.method : undefined;
    const rpcId = typeof message?.id === 'string' || typeof message?.id === 'number' ? message.id : undefined;
    const kind = method === undefined ? (rpcId === undefined ? 'presence' : 'response') : rpcId === undefined ? 'notification' : 'request';
    this.events({
      kind,
      summary: `${direction === 'out' ? '→' : '←'} ${method ?? (rpcId !== undefined ? `response #${rpcId}` : `${size}-byte message`)} on ${topic}`,
      direction,
      topic,
      method,
      rpcId,
      clientId: this.clientId,
      userProperties,
      size,
      source: 'checker',
      payload: storablePayload(payload, size),
    });
  }
}

export function isResponseTo(o: Observation, id: number): boolean {
  const m = o.json;
  return m !== undefined && m.id === id && !('method' in m) && ('result' in m || 'error' in m);
}

/** What a client that subscribes to `filter` now receives straight away: a fresh subscriber's view. */
export async function freshSubscriberView(broker: BrokerConfig, filter: string): Promise<Observation[]> {
  const probe = new ClientProbe(broker);
  try {
    await probe.open();
    await probe.listen(filter);
    await probe.sync();
    return probe.observations;
  } finally {
    await probe.close();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
