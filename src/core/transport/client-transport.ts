// The SDK `Transport` for one client session with one server instance, over a shared MQTT connection.
// The SDK `Client` runs on it unchanged: `initialize` goes to the control topic, everything else to the RPC
// topic, and capability-topic notifications are delivered as if they came on the RPC topic.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, MqttConnection } from '../mqtt/connection.js';
import { topics } from '../protocol/topics.js';
import { PROP, firstProperty, publishProperties, type UserProperties } from '../protocol/properties.js';
import { DISCONNECTED_MESSAGE, DISCONNECTED_METHOD } from '../protocol/presence.js';
import { type EventSink, type EventSource, storablePayload } from '../events/event-log.js';
import { currentCallSource } from '../util/call-source.js';
import { decodeMessage, describeMessage, isNotification, isRequest, isResponse, responseProblem } from './jsonrpc.js';
import { localErrorData, type LocalErrorKind } from './local-errors.js';

/** JSON-RPC error code for requests failed by the transport (offline server, lost broker); the SDK's ConnectionClosed. */
export const TRANSPORT_CLOSED_CODE = -32000;
/** JSON-RPC error code for a device answer that cannot be used (JSON-RPC "Internal error"). */
export const MALFORMED_ANSWER_CODE = -32603;
/** Resends of an `initialize` nobody was subscribed to (a device still reconnecting): 100 ms doubling to 1 s. */
const INITIALIZE_RESEND_FIRST_MS = 100;
const INITIALIZE_RESEND_MAX_MS = 1000;

export interface ClientTransportOptions {
  connection: MqttConnection;
  serverId: string;
  serverName: string;
  /** Broker label for events. */
  broker?: string;
  events?: EventSink;
  /** Also listen on pre-2025-06-19 topics that old firmware publishes on. */
  legacyTopics?: boolean;
}

interface PendingRequest {
  method: string;
  sentAt: number;
  source: EventSource | undefined;
}

export class MqttClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly rpcTopic: string;
  readonly controlTopic: string;
  /** Where requests go: the RPC topic, or the legacy one once the server has answered there (old firmware listens only there). */
  private sendTopic: string;
  private readonly legacyRpcTopic: string | undefined;
  private readonly subscriptions: { filter: string; noLocal: boolean }[];
  private readonly properties: UserProperties;
  private readonly pending = new Map<string | number, PendingRequest>();
  private readonly pingIds = new Set<string | number>();
  private readonly disposers: (() => void)[] = [];
  private state: 'new' | 'started' | 'closed' = 'new';
  private reason: string | undefined;

  constructor(private readonly options: ClientTransportOptions) {
    const { connection, serverId, serverName } = options;
    this.rpcTopic = topics.rpc(connection.clientId, serverId, serverName);
    this.controlTopic = topics.serverControl(serverId, serverName);
    this.sendTopic = this.rpcTopic;
    this.legacyRpcTopic = options.legacyTopics !== false ? topics.legacyRpc(connection.clientId, serverName) : undefined;
    this.properties = publishProperties('mcp-client', connection.clientId);
    this.subscriptions = [
      { filter: this.rpcTopic, noLocal: true },
      { filter: topics.serverCapability(serverId, serverName), noLocal: false },
    ];
    if (options.legacyTopics !== false) {
      this.subscriptions.push(
        { filter: this.legacyRpcTopic as string, noLocal: true },
        { filter: topics.legacyCapability('list-changed', serverId, serverName), noLocal: false },
        { filter: topics.legacyCapability('resource-updated', serverId, serverName), noLocal: false },
      );
    }
  }

  get closed(): boolean {
    return this.state === 'closed';
  }
  /** Why the session ended, when it did not end by our own choice. */
  get closeReason(): string | undefined {
    return this.reason;
  }

  /** Subscribes the RPC (No Local) and capability topics and waits for SUBACK, before `initialize` may go out. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('MqttClientTransport already started');
    this.state = 'started';
    const { connection } = this.options;
    for (const s of this.subscriptions) this.disposers.push(connection.route(s.filter, (m) => this.receive(m)));
    const onLost = (reason: string): void => this.abort(reason);
    connection.on('lost', onLost);
    this.disposers.push(() => connection.off('lost', onLost));
    try {
      await Promise.all(this.subscriptions.map((s) => connection.subscribe(s.filter, { qos: 1, noLocal: s.noLocal })));
    } catch (e) {
      this.abort(`could not subscribe to the server's topics: ${(e as Error).message}`);
      throw e;
    }
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.state === 'closed') throw new Error(`session with ${this.options.serverName} is closed${this.reason ? `: ${this.reason}` : ''}`);
    const isInitialize = 'method' in message && message.method === 'initialize';
    const topic = isInitialize ? this.controlTopic : this.sendTopic;
    const payload = JSON.stringify(message);
    const source = currentCallSource();
    if (isRequest(message)) {
      this.pending.set(message.id, { method: message.method, sentAt: performance.now(), source });
      if (message.method === 'ping') this.pingIds.add(message.id);
    } else if (isNotification(message) && message.method === 'notifications/cancelled') {
      // The SDK gave up on it (timeout, abort): a late answer belongs to nobody.
      const id = (message as { params?: { requestId?: unknown } }).params?.requestId;
      if (typeof id === 'string' || typeof id === 'number') this.forget(id);
    }
    this.emitEvent('out', topic, message, payload.length, this.properties, undefined, source);
    const outcome = await this.options.connection.publish(topic, payload, { qos: 1, userProperties: this.properties });
    if (isInitialize && outcome.noSubscribers && isRequest(message)) this.resendInitialize(message.id, payload, INITIALIZE_RESEND_FIRST_MS);
  }

  /**
   * After a broker restart the device may not have re-subscribed its control topic yet: the broker drops the
   * `initialize` and says so in the PUBACK (0x10). Resending until someone is subscribed makes the session
   * come back as soon as the device does, instead of at the initialize timeout. Bounded by the caller's
   * timeout, which closes the transport or cancels the request.
   */
  private resendInitialize(id: string | number, payload: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.disposers.splice(this.disposers.indexOf(cancel) >>> 0, 1);
      if (this.state !== 'started' || !this.pending.has(id) || !this.options.connection.connected) return;
      this.options.connection
        .publish(this.controlTopic, payload, { qos: 1, userProperties: this.properties })
        .then((o) => o.noSubscribers && this.resendInitialize(id, payload, Math.min(delayMs * 2, INITIALIZE_RESEND_MAX_MS)))
        .catch(() => undefined);
    }, delayMs);
    const cancel = (): void => clearTimeout(timer);
    this.disposers.push(cancel);
  }

  private forget(id: string | number): void {
    this.pending.delete(id);
    this.pingIds.delete(id);
  }

  private receive(m: IncomingMessage): void {
    if (this.state === 'closed') return;
    const decoded = decodeMessage(m.payload);
    if (!decoded.ok) {
      this.protocolError(m.topic, decoded.reason, m.payload);
      // An unusable answer to a pending request fails it now, rather than at its timeout.
      if (decoded.id !== undefined && this.pending.has(decoded.id)) this.failPending(decoded.id, 'malformed', `${this.options.serverName}'s answer to ${this.pending.get(decoded.id)?.method} is unusable: ${decoded.reason}`);
      return;
    }
    let message = decoded.message;
    // A pre-2025-06-19 device answers on `$mcp-rpc-endpoint/...` and listens only there: follow it.
    if (m.topic === this.legacyRpcTopic) this.sendTopic = m.topic;
    // Brokers that ignore No Local echo our own publishes back; never treat them as the server's.
    if (
      firstProperty(m.userProperties, PROP.componentType) === 'mcp-client' &&
      firstProperty(m.userProperties, PROP.clientId) === this.options.connection.clientId
    )
      return;
    let latencyMs: number | undefined;
    let source: EventSource | undefined;
    if (isResponse(message)) {
      // Exact match (Map keys): the SDK looks answers up by Number(id), so "1" would answer request 1.
      const request = this.pending.get(message.id);
      if (!request) {
        this.protocolError(m.topic, `an answer with id ${JSON.stringify(message.id)} matches no pending request: ignored`, m.payload);
        return;
      }
      this.pending.delete(message.id);
      latencyMs = performance.now() - request.sentAt;
      source = request.source;
      const id = message.id;
      const problem = responseProblem(message as unknown as Record<string, unknown>);
      if (problem) {
        this.pingIds.delete(id);
        this.protocolError(m.topic, `answer to ${request.method}: ${problem}`, m.payload);
        message = this.localError(id, 'malformed', `${this.options.serverName}'s answer to ${request.method} is unusable: ${problem}`);
      } else {
        message = cleanResponse(message as unknown as Record<string, unknown>);
        // Tolerated deviation: the EMQX TypeScript SDK answers ping with {pong: true}; the SDK wants {}.
        if (this.pingIds.delete(id) && 'result' in message) (message as { result: unknown }).result = {};
      }
    }
    this.emitEvent('in', m.topic, message, m.payload.length, m.userProperties, latencyMs, source, decoded.warning);
    if (isNotification(message) && message.method === DISCONNECTED_METHOD) {
      this.abort(`${this.options.serverName} ended the session (notifications/disconnected)`);
      return;
    }
    this.onmessage?.(message);
  }

  private protocolError(topic: string, reason: string, payload: Buffer): void {
    const text = `malformed message from ${this.options.serverName} on ${topic}: ${reason}`;
    this.options.events?.({
      kind: 'error',
      level: 'warn',
      summary: text,
      broker: this.options.broker,
      serverName: this.options.serverName,
      serverId: this.options.serverId,
      topic,
      size: payload.length,
      payload: storablePayload(payload.toString('utf8'), payload.length),
    });
    this.onerror?.(new Error(text));
  }

  private emitEvent(
    direction: 'in' | 'out',
    topic: string,
    message: JSONRPCMessage,
    size: number,
    userProperties: UserProperties | undefined,
    latencyMs: number | undefined,
    source: EventSource | undefined,
    warning?: string,
  ): void {
    const sink = this.options.events;
    if (!sink) return;
    const kind = isRequest(message) ? 'request' : isResponse(message) ? 'response' : 'notification';
    sink({
      kind,
      level: 'error' in message ? 'error' : warning ? 'warn' : 'info',
      summary: `${direction === 'out' ? '→' : '←'} ${describeMessage(message)}${warning ? ` (${warning})` : ''}`,
      broker: this.options.broker,
      serverName: this.options.serverName,
      serverId: this.options.serverId,
      clientId: this.options.connection.clientId,
      direction,
      topic,
      method: 'method' in message ? message.method : undefined,
      rpcId: 'id' in message ? (message.id as string | number) : undefined,
      userProperties,
      size,
      latencyMs,
      source,
      payload: storablePayload(message, size),
    });
  }

  /**
   * Ends the session because of something outside it (server offline, broker lost, server de-initialized):
   * every pending request fails at once with the reason, instead of waiting for its timeout.
   */
  abort(reason: string): void {
    if (this.state === 'closed') return;
    this.reason = reason;
    for (const [id] of this.pending) this.onmessage?.(this.localError(id, 'connection', reason));
    this.finish();
  }

  private failPending(id: string | number, kind: LocalErrorKind, reason: string): void {
    this.forget(id);
    this.onmessage?.(this.localError(id, kind, reason));
  }

  private localError(id: string | number, kind: LocalErrorKind, reason: string): JSONRPCMessage {
    return { jsonrpc: '2.0', id, error: { code: kind === 'connection' ? TRANSPORT_CLOSED_CODE : MALFORMED_ANSWER_CODE, message: reason, data: localErrorData(kind) } };
  }

  /** De-initializes: tells the server (spec §5.6) and unsubscribes. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const { connection } = this.options;
    if (this.state === 'started' && connection.connected) {
      await connection.publish(this.sendTopic, DISCONNECTED_MESSAGE, { qos: 1, userProperties: this.properties }).catch(() => undefined);
    }
    this.finish();
  }

  private finish(): void {
    const wasStarted = this.state === 'started';
    this.state = 'closed';
    this.pending.clear();
    this.pingIds.clear();
    for (const d of this.disposers.splice(0)) d();
    if (wasStarted) {
      for (const s of this.subscriptions) void this.options.connection.unsubscribe(s.filter).catch(() => undefined);
    }
    this.onclose?.();
  }
}

/**
 * The response with only the JSON-RPC members: the SDK's strict schema drops a response with any extra
 * top-level member (a vendor field, "extra": ...) and its caller waits for the timeout.
 */
function cleanResponse(m: Record<string, unknown>): JSONRPCMessage {
  if ('result' in m) return { jsonrpc: '2.0', id: m.id as string | number, result: m.result as Record<string, unknown> };
  const e = m.error as { code: number; message: string; data?: unknown };
  return { jsonrpc: '2.0', id: m.id as string | number, error: { code: e.code, message: e.message, ...('data' in e ? { data: e.data } : {}) } };
}
