// The MCP client side of one broker: one MQTT connection (spec §10), discovery from retained presence, and
// sessions with the discovered servers that share the connection. The extension, the CLI, the gateway and
// the conformance checker all reach devices through this class.
import { EventEmitter } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { MqttConnection, type ConnectionState, type IncomingMessage } from '../mqtt/connection.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { parsePresenceTopic, topics, assertValidId } from '../protocol/topics.js';
import { parseConnackProperties, publishProperties, type RbacAssignment } from '../protocol/properties.js';
import { DISCONNECTED_MESSAGE, hasCommonPresenceShape, MAX_PRESENCE_BYTES, parsePresence } from '../protocol/presence.js';
import { serveDeviceRequests, type DeviceRequestHandlers } from './device-requests.js';
import { DiscoveryRegistry } from '../discovery/registry.js';
import { awaitSnapshot, DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits, type SnapshotReport } from '../discovery/snapshot.js';
import type { EventSink } from '../events/event-log.js';
import { MqttClientTransport } from '../transport/client-transport.js';
import { DEFAULT_TIMEOUTS, ServerSession, type Timeouts } from './session.js';
import type { ServerInstance } from '../discovery/registry.js';
import { randomId } from '../util/ids.js';
import { type Logger, nullLogger } from '../util/logger.js';
import { describeRequestError } from '../transport/local-errors.js';

export const CLIENT_NAME = 'mqtt-mcp-devkit';
export const CLIENT_VERSION = '0.1.0';

export interface McpClientOptions {
  broker: BrokerConfig;
  /** Shown in events and errors; defaults to the URL. */
  brokerLabel?: string;
  clientId?: string;
  clientIdPrefix?: string;
  /** Server-name filters to discover with; a broker's MCP-SERVER-NAME-FILTERS override them (spec §1). */
  serverNameFilters?: string[];
  timeouts?: Partial<Timeouts>;
  capabilities?: ClientCapabilities;
  /** Answers to what devices may ask of this client (elicitation, sampling, roots); each declared only if given. */
  deviceRequests?: DeviceRequestHandlers;
  events?: EventSink;
  logger?: Logger;
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
  /** Bound on the CONNECT/CONNACK exchange (default 10 s). */
  connectTimeoutMs?: number;
  /** MQTT keepalive and how long the broker may stay silent while it owes an answer (see MqttConnection). */
  keepaliveSeconds?: number;
  responseTimeoutMs?: number;
  maxPayloadBytes?: number;
  legacyTopics?: boolean;
  /** How long connect() waits for the retained presence snapshot when the broker does not confirm its end. */
  snapshot?: Partial<SnapshotLimits>;
}

export class McpMqttClient extends EventEmitter {
  readonly registry = new DiscoveryRegistry();
  readonly connection: MqttConnection;
  readonly clientId: string;
  readonly brokerLabel: string;
  private readonly sessions = new Map<string, Promise<ServerSession>>();
  private readonly live = new Set<ServerSession>();
  private readonly timeouts: Timeouts;
  private readonly log: Logger;
  private filters: string[] = [];
  private rbac: RbacAssignment[] | undefined;
  private discovered: Promise<SnapshotReport> | undefined;
  private presenceArrivals = 0;
  private lastSnapshot: SnapshotReport | undefined;
  /** Instances by `name\0id`: true once one initialized, false once one failed to (most recent wins). */
  private readonly track = new Map<string, boolean>();

  constructor(private readonly options: McpClientOptions) {
    super();
    this.clientId = options.clientId ?? randomId(options.clientIdPrefix ?? 'mqtt-mcp-');
    assertValidId('client id', this.clientId);
    this.brokerLabel = options.brokerLabel ?? options.broker.url;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.log = options.logger ?? nullLogger;
    this.connection = new MqttConnection({
      broker: options.broker,
      clientId: this.clientId,
      componentType: 'mcp-client',
      meta: { implementation: CLIENT_NAME, version: CLIENT_VERSION },
      will: { topic: topics.clientPresence(this.clientId), payload: DISCONNECTED_MESSAGE, retain: false },
      reconnect: options.reconnect,
      connectTimeoutMs: options.connectTimeoutMs,
      keepaliveSeconds: options.keepaliveSeconds,
      responseTimeoutMs: options.responseTimeoutMs,
      maxPayloadBytes: options.maxPayloadBytes,
      logger: this.log,
    });
    this.connection.on('state', (state: ConnectionState, reason?: string) => {
      // A reconnect: mark every instance unconfirmed now, before the subscriptions are restored. The retained
      // presence can arrive in the same read as the SUBACK, ahead of 'resubscribed'; marking then would sweep it.
      if (state === 'connected' && this.discovered) this.registry.beginResync();
      // Roles are the broker's to change at each CONNACK (filters stay: the subscriptions are restored as they were).
      if (state === 'connected' && this.discovered) this.rbac = parseConnackProperties(this.connection.connack).rbac;
      if (state === 'connected') this.presenceArrivals = 0;
      this.event('connection', `${this.brokerLabel}: ${state}${reason && state !== 'connected' ? ` (${reason})` : ''}`, state === 'failed' ? 'error' : 'info');
      this.emit('state', state, reason);
    });
    this.connection.on('resubscribed', () => void this.resync());
    this.registry.reportProblem = (instance, problem) =>
      this.event('error', `${instance.serverName} (${instance.serverId}): ${problem}`, 'warn', { serverId: instance.serverId, serverName: instance.serverName, topic: `$mcp-server/presence/${instance.serverId}/${instance.serverName}` });
    this.connection.on('dropped', (topic: string, bytes: number) =>
      this.event('error', `dropped a ${bytes}-byte message on ${topic}: above the size limit`, 'warn', { topic, size: bytes }),
    );
  }

  get state(): ConnectionState {
    return this.connection.state;
  }
  /** The filters discovery subscribed with (the broker's, when it suggested some). */
  get serverNameFilters(): readonly string[] {
    return this.filters;
  }
  /** How the last presence snapshot ended (connect or reconnect); undefined before the first. */
  get snapshot(): SnapshotReport | undefined {
    return this.lastSnapshot;
  }
  /** RBAC roles the broker assigned this client (CONNACK MCP-RBAC); undefined when it sent none (no RBAC). */
  get rbacAssignments(): readonly RbacAssignment[] | undefined {
    return this.rbac;
  }

  /** Whether sessions also listen on the pre-2025-06-19 topics old firmware uses (on unless turned off). */
  get legacyTopics(): boolean {
    return this.options.legacyTopics !== false;
  }

  /**
   * A second connection to the same broker, with the same credentials and a fresh client id derived from this
   * one; not yet connected. For callers that need an MCP session of their own with a device (the gateway and
   * stdio bridge, one per agent session): the RPC topic allows one session per (client id, instance), and the
   * device keeps state per client. It never reconnects: a session does not outlive its connection (expiry 0).
   */
  createDedicatedConnection(): MqttConnection {
    const clientId = randomId(`${this.clientId}-`);
    return new MqttConnection({
      broker: this.options.broker,
      clientId,
      componentType: 'mcp-client',
      meta: { implementation: CLIENT_NAME, version: CLIENT_VERSION },
      will: { topic: topics.clientPresence(clientId), payload: DISCONNECTED_MESSAGE, retain: false },
      reconnect: false,
      connectTimeoutMs: this.options.connectTimeoutMs,
      keepaliveSeconds: this.options.keepaliveSeconds,
      responseTimeoutMs: this.options.responseTimeoutMs,
      maxPayloadBytes: this.options.maxPayloadBytes,
      logger: this.log,
    });
  }

  /**
   * Connects and subscribes to presence; resolves when the retained presence snapshot has arrived, or, when
   * the broker never confirms its end, after the snapshot limits with what arrived (see `snapshot`).
   */
  async connect(): Promise<void> {
    await this.connection.connect();
    const connack = parseConnackProperties(this.connection.connack);
    for (const p of connack.problems) this.event('error', `${this.brokerLabel}: ${p}`, 'warn');
    this.filters = connack.serverNameFilters ?? this.options.serverNameFilters ?? ['#'];
    this.rbac = connack.rbac;
    for (const filter of this.filters) this.connection.route(topics.presenceFilter(filter), (m) => this.onPresence(m));
    // QoS 0: brokers cap queued QoS 1 messages per client (Mosquitto: 1,000), silently dropping the rest of a
    // large retained snapshot; QoS 0 retained messages are delivered in full.
    await Promise.all(this.filters.map((f) => this.connection.subscribe(topics.presenceFilter(f), { qos: 0 })));
    this.discovered = this.takeSnapshot();
    await this.discovered;
    this.registry.flush();
  }

  private async takeSnapshot(): Promise<SnapshotReport> {
    const limits = { ...DEFAULT_SNAPSHOT_LIMITS, ...this.options.snapshot };
    const report = await awaitSnapshot(() => this.connection.sync(), () => this.presenceArrivals, limits);
    this.lastSnapshot = report;
    if (!report.complete) this.event('error', `${this.brokerLabel}: presence snapshot may be incomplete: ${report.problem}`, 'warn', { size: report.received });
    this.emit('snapshot', report);
    return report;
  }

  private async resync(): Promise<void> {
    const report = await this.takeSnapshot();
    // Sweeping after a partial snapshot would take live devices for gone ones: keep them instead.
    if (!report.complete) {
      this.registry.cancelResync();
      return;
    }
    for (const gone of this.registry.endResync()) this.event('presence', `${gone.serverName} offline (${gone.serverId}): gone after reconnect`, 'info', gone);
  }

  private onPresence(m: IncomingMessage): void {
    const parsed = parsePresenceTopic(m.topic);
    if (!parsed) {
      this.event('error', `presence on a malformed topic: ${m.topic.slice(0, 200)}`, 'warn', { topic: m.topic.slice(0, 1000) });
      return;
    }
    const { serverId, serverName } = parsed;
    this.presenceArrivals++;
    if (m.payload.length <= MAX_PRESENCE_BYTES && hasCommonPresenceShape(m.payload)) {
      // The full parse (and any error it finds) waits until someone reads the details: see registry.reportProblem.
      const known = this.registry.instance(serverName, serverId);
      this.registry.onlineDeferred(serverId, serverName, m.payload.toString('utf8'));
      if (!known) this.event('presence', `${serverName} online (${serverId})`, 'info', { serverId, serverName, topic: m.topic, size: m.payload.length });
      return;
    }
    const presence = parsePresence(m.payload, serverName);
    if (presence.kind === 'invalid') {
      this.event('error', `${serverName} (${serverId}): ${presence.reason}`, 'warn', { serverId, serverName, topic: m.topic, size: m.payload.length });
      return;
    }
    if (presence.kind === 'offline') {
      if (this.registry.offline(serverId, serverName)) this.event('presence', `${serverName} offline (${serverId})`, 'info', { serverId, serverName, topic: m.topic });
      // Spec §5.7: the instance is gone; its sessions fail now rather than at their timeouts.
      for (const s of this.live) if (s.serverId === serverId && s.serverName === serverName) s.transport.abort(`${serverName} went offline (presence cleared)`);
      return;
    }
    const known = this.registry.instance(serverName, serverId);
    this.registry.online(serverId, serverName, presence.info);
    if (!known) this.event('presence', `${serverName} online (${serverId})`, 'info', { serverId, serverName, topic: m.topic, size: m.payload.length });
    for (const w of presence.warnings) this.event('error', `${serverName} (${serverId}) presence: ${w}`, 'warn', { serverId, serverName, topic: m.topic });
  }

  /**
   * The open session with a server (by name), initializing one with a chosen instance when there is none.
   * A session that ended (device offline, broker lost) is replaced on next use.
   */
  session(serverName: string, options: { serverId?: string; initializeTimeoutMs?: number } = {}): Promise<ServerSession> {
    const key = options.serverId ? `${serverName}\u0000${options.serverId}` : serverName;
    const existing = this.sessions.get(key);
    if (existing) return existing;
    const opening = this.openSession(serverName, options.serverId, options.initializeTimeoutMs ?? this.timeouts.initializeMs);
    this.sessions.set(key, opening);
    opening.then(
      (s) => s.onClose(() => this.sessions.get(key) === opening && this.sessions.delete(key)),
      () => this.sessions.get(key) === opening && this.sessions.delete(key),
    );
    return opening;
  }

  /**
   * Online instances of a name, best first: ones that initialized before, then untried ones, then ones that
   * failed; random within each group, which spreads clients over load-balanced instances (spec §6).
   */
  rankedInstances(serverName: string, random: () => number = Math.random): ServerInstance[] {
    const rank = (i: ServerInstance): number => {
      const t = this.track.get(`${serverName}\u0000${i.serverId}`);
      return t === true ? 0 : t === undefined ? 1 : 2;
    };
    return (this.registry.get(serverName)?.instances ?? [])
      .map((i) => ({ i, r: rank(i), k: random() }))
      .sort((a, b) => a.r - b.r || a.k - b.k)
      .map((x) => x.i);
  }

  private async openSession(serverName: string, serverId: string | undefined, initializeMs: number): Promise<ServerSession> {
    if (!this.connection.connected) throw new Error(`not connected to ${this.brokerLabel}${this.connection.failureReason ? `: ${this.connection.failureReason}` : ''}`);
    const single = serverId ? this.registry.instance(serverName, serverId) : undefined;
    const candidates = serverId ? (single ? [single] : []) : this.rankedInstances(serverName);
    if (candidates.length === 0) {
      const known = this.registry.get(serverName);
      throw new Error(
        known
          ? `"${serverName}"${serverId ? ` instance ${serverId}` : ''} is offline on ${this.brokerLabel}`
          : `no server named "${serverName}" on ${this.brokerLabel}`,
      );
    }
    return this.firstToInitialize(serverName, candidates, initializeMs);
  }

  /**
   * Initializes with the best candidate; when it fails, or has not answered within a hedge delay (a third of
   * the timeout, at most 2 s), the next one is tried alongside. The first session to come up wins; later
   * ones are de-initialized. So a stale retained presence costs a short delay, not a failed command.
   */
  private firstToInitialize(serverName: string, candidates: ServerInstance[], initializeMs: number): Promise<ServerSession> {
    const hedgeMs = Math.min(2000, Math.max(100, Math.floor(initializeMs / 3)));
    return new Promise<ServerSession>((resolve, reject) => {
      const failures: string[] = [];
      let next = 0;
      let running = 0;
      let settled = false;
      let hedge: ReturnType<typeof setTimeout> | undefined;
      const launch = (): void => {
        const instance = candidates[next++] as ServerInstance;
        running++;
        if (hedge) clearTimeout(hedge);
        hedge = next < candidates.length ? setTimeout(() => !settled && launch(), hedgeMs) : undefined;
        this.initializeWith(serverName, instance, initializeMs).then(
          (session) => {
            running--;
            if (settled) return void session.close().catch(() => undefined);
            settled = true;
            if (hedge) clearTimeout(hedge);
            resolve(session);
          },
          (e: Error) => {
            running--;
            failures.push(e.message);
            if (settled) return;
            if (next < candidates.length) launch();
            else if (running === 0) {
              settled = true;
              reject(failures.length === 1 ? e : new Error(failures.join('; '), { cause: e }));
            }
          },
        );
      };
      launch();
    });
  }

  private async initializeWith(serverName: string, instance: ServerInstance, initializeMs: number): Promise<ServerSession> {
    const transport = new MqttClientTransport({
      connection: this.connection,
      serverId: instance.serverId,
      serverName,
      broker: this.brokerLabel,
      events: this.options.events,
      legacyTopics: this.options.legacyTopics,
    });
    const client = new Client({ name: CLIENT_NAME, version: CLIENT_VERSION }, { capabilities: this.options.capabilities ?? {} });
    if (this.options.deviceRequests) serveDeviceRequests(client, this.options.deviceRequests, { serverName, serverId: instance.serverId });
    const session = new ServerSession(client, transport, serverName, instance.serverId, this.timeouts);
    const key = `${serverName}\u0000${instance.serverId}`;
    this.live.add(session);
    session.onClose(() => this.live.delete(session));
    try {
      await client.connect(transport, { timeout: initializeMs });
    } catch (e) {
      this.live.delete(session);
      this.remember(key, false);
      await transport.close().catch(() => undefined);
      throw new Error(`initialize with ${serverName} (${instance.serverId}) failed: ${describeRequestError(e, serverName)}`, { cause: e });
    }
    this.remember(key, true);
    this.event('session', `${serverName}: initialized (${instance.serverId}, ${client.getServerVersion()?.name ?? '?'} ${client.getServerVersion()?.version ?? ''})`, 'info', {
      serverId: instance.serverId,
      serverName,
    });
    return session;
  }

  private remember(key: string, answered: boolean): void {
    this.track.delete(key);
    this.track.set(key, answered);
    // A long-running client meets many instances: keep the most recent ones only.
    if (this.track.size > 10_000) this.track.delete(this.track.keys().next().value as string);
  }

  /** Sessions currently open. */
  openSessions(): ServerSession[] {
    return [...this.live];
  }

  /** Graceful goodbye (spec §5.7): de-initialize each session, announce the client's departure, DISCONNECT. */
  async close(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.close().catch(() => undefined)));
    if (this.connection.connected) {
      await this.connection
        .publish(topics.clientPresence(this.clientId), DISCONNECTED_MESSAGE, { qos: 1, userProperties: publishProperties('mcp-client', this.clientId) })
        .catch(() => undefined);
    }
    await this.connection.close();
    this.registry.dispose();
  }

  private event(
    kind: 'connection' | 'presence' | 'session' | 'error',
    summary: string,
    level: 'info' | 'warn' | 'error',
    extra: { serverId?: string; serverName?: string; topic?: string; size?: number } = {},
  ): void {
    if (level !== 'info') this.log.warn(summary);
    else this.log.debug(summary);
    this.options.events?.({ kind, summary, level, broker: this.brokerLabel, clientId: this.clientId, ...extra });
  }
}
