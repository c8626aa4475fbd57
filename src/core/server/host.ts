// One MCP server instance on an MQTT broker (spec §5.1, §5.3, §5.6, §5.7): its own connection (client id =
// server-id), a will that clears its retained presence, the control topic for `initialize`, and one SDK
// `Server` per initialized client, each on its own RPC topic. Several hosts can live in one process.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MqttConnection, type IncomingMessage } from '../mqtt/connection.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { topics, assertValidId, assertValidServerName } from '../protocol/topics.js';
import { PROP, firstProperty, parseConnackProperties, publishProperties, type UserProperties } from '../protocol/properties.js';
import { DISCONNECTED_MESSAGE, DISCONNECTED_METHOD, buildOnlineMessage } from '../protocol/presence.js';
import { decodeMessage, describeMessage, isRequest } from '../transport/jsonrpc.js';
import type { EventSink } from '../events/event-log.js';
import { errorMessage, type Logger, nullLogger } from '../util/logger.js';
import { ServerSessionTransport, type SessionTransportHost } from './session-transport.js';

export interface ServerHostOptions {
  broker: BrokerConfig;
  serverId: string;
  serverName: string;
  description: string;
  meta?: Record<string, unknown>;
  /** A fresh SDK `Server` for each client that initializes. */
  createServer(context: { clientId: string }): Server;
  events?: EventSink;
  logger?: Logger;
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
  maxPayloadBytes?: number;
}

interface ClientSession {
  clientId: string;
  /** Built (and validated) once: every answer of the session is published here. */
  rpcTopic: string;
  server: Server;
  transport: ServerSessionTransport;
  topics: string[];
  disposers: (() => void)[];
}

export class McpMqttServerHost implements SessionTransportHost {
  private connection: MqttConnection | undefined;
  private name: string;
  private readonly sessions = new Map<string, ClientSession>();
  private readonly log: Logger;
  private readonly properties: UserProperties;
  private pendingCapability = new Set<string>();
  private running = false;

  constructor(private readonly options: ServerHostOptions) {
    assertValidId('server-id', options.serverId);
    assertValidServerName(options.serverName);
    this.name = options.serverName;
    this.log = options.logger ?? nullLogger;
    this.properties = publishProperties('mcp-server', options.serverId);
  }

  get serverId(): string {
    return this.options.serverId;
  }
  /** The name in use: the configured one, or the one the broker assigned in CONNACK. */
  get serverName(): string {
    return this.name;
  }
  get clientIds(): string[] {
    return [...this.sessions.keys()];
  }
  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.connection) throw new Error('server host already started');
    let connection = await this.openConnection();
    const assigned = parseConnackProperties(connection.connack).serverName;
    if (assigned && assigned !== this.name) {
      // The broker may assign the name (EMQX MCP gateway) and the spec says the server MUST use it. The will
      // names the presence topic, so reconnect once with a will for the assigned name.
      assertValidServerName(assigned);
      this.log.info(`broker assigned server-name "${assigned}" (configured "${this.name}")`);
      await connection.close();
      this.name = assigned;
      connection = await this.openConnection();
    }
    this.connection = connection;
    const control = topics.serverControl(this.options.serverId, this.name);
    connection.route(control, (m) => this.onControl(m));
    await connection.subscribe(control, { qos: 1 });
    await this.announce();
    this.running = true;
  }

  private async openConnection(): Promise<MqttConnection> {
    const { options } = this;
    const connection = new MqttConnection({
      broker: options.broker,
      clientId: options.serverId,
      componentType: 'mcp-server',
      meta: { implementation: 'mqtt-mcp-devkit', serverName: this.name, description: options.description, ...options.meta },
      // Empty and retained, so a crash deletes the retained presence (spec §3: the will must carry RETAIN).
      will: { topic: topics.serverPresence(options.serverId, this.name), payload: '', retain: true },
      reconnect: options.reconnect,
      maxPayloadBytes: options.maxPayloadBytes,
      logger: this.log,
    });
    connection.on('lost', () => this.dropAllSessions('broker connection lost'));
    connection.on('dropped', (topic: string, bytes: number) =>
      this.options.events?.({
        kind: 'error',
        level: 'warn',
        summary: `${this.name}: dropped a ${bytes}-byte message on ${topic}: above the size limit`,
        serverName: this.name,
        serverId: options.serverId,
        topic,
        size: bytes,
      }),
    );
    connection.on('resubscribed', () => void this.announce().catch((e) => this.log.warn(`re-announcing presence failed: ${errorMessage(e)}`)));
    await connection.connect();
    return connection;
  }

  private async announce(): Promise<void> {
    const connection = this.requireConnection();
    const payload = buildOnlineMessage(this.name, this.options.description, this.options.meta);
    const topic = topics.serverPresence(this.options.serverId, this.name);
    await connection.publish(topic, payload, { qos: 1, retain: true, userProperties: this.properties });
    this.options.events?.({
      kind: 'presence',
      summary: `${this.name} online (${this.options.serverId})`,
      serverName: this.name,
      serverId: this.options.serverId,
      direction: 'out',
      topic,
      size: payload.length,
      source: 'simulator',
    });
  }

  private requireConnection(): MqttConnection {
    if (!this.connection) throw new Error('server host is not started');
    return this.connection;
  }

  private onControl(m: IncomingMessage): void {
    const decoded = decodeMessage(m.payload);
    if (!decoded.ok) return this.protocolError(m.topic, decoded.reason);
    const message = decoded.message;
    const clientId = firstProperty(m.userProperties, PROP.clientId);
    if (!isRequest(message) || message.method !== 'initialize') {
      return this.protocolError(m.topic, `only initialize is accepted on the control topic, got ${describeMessage(message)}`);
    }
    if (!clientId || /[/+#]/.test(clientId)) {
      // The spec gives no way to answer a client that did not say who it is.
      return this.protocolError(m.topic, `initialize without a usable ${PROP.clientId} user property: ignored`);
    }
    void this.initializeSession(clientId, message).catch((e) => this.log.error(`initialize from ${clientId} failed`, e));
  }

  private async initializeSession(clientId: string, initialize: JSONRPCMessage): Promise<void> {
    const connection = this.requireConnection();
    const existing = this.sessions.get(clientId);
    if (existing) await this.teardown(existing, false);
    const rpc = topics.rpc(clientId, this.options.serverId, this.name);
    const clientTopics = [topics.clientCapability(clientId), topics.clientPresence(clientId), rpc];
    const transport = new ServerSessionTransport(clientId, this);
    const session: ClientSession = { clientId, rpcTopic: rpc, server: this.options.createServer({ clientId }), transport, topics: clientTopics, disposers: [] };
    this.sessions.set(clientId, session);
    session.disposers.push(
      connection.route(rpc, (m) => this.onSessionMessage(session, m)),
      connection.route(topics.clientPresence(clientId), (m) => this.onClientPresence(session, m)),
      connection.route(topics.clientCapability(clientId), (m) => this.onSessionMessage(session, m)),
    );
    // Spec §5.3 step 4: all three subscriptions must be in place before the initialize response goes out.
    try {
      await Promise.all([
        connection.subscribe(clientTopics[0] as string, { qos: 1 }),
        connection.subscribe(clientTopics[1] as string, { qos: 1 }),
        connection.subscribe(rpc, { qos: 1, noLocal: true }),
      ]);
    } catch (e) {
      await this.publishRpc(clientId, {
        jsonrpc: '2.0',
        id: (initialize as { id: string | number }).id,
        error: { code: -32603, message: `server could not subscribe to the client's topics: ${errorMessage(e)}` },
      }).catch(() => undefined);
      await this.teardown(session, false);
      return;
    }
    await session.server.connect(transport);
    this.options.events?.({
      kind: 'session',
      summary: `${this.name}: client ${clientId} initializing`,
      serverName: this.name,
      serverId: this.options.serverId,
      clientId,
    });
    transport.deliver(initialize);
  }

  private onSessionMessage(session: ClientSession, m: IncomingMessage): void {
    const decoded = decodeMessage(m.payload);
    if (!decoded.ok) return this.protocolError(m.topic, decoded.reason);
    const message = decoded.message;
    if ('method' in message && message.method === DISCONNECTED_METHOD && !('id' in message)) {
      void this.teardown(session, false);
      return;
    }
    session.transport.deliver(message);
  }

  private onClientPresence(session: ClientSession, m: IncomingMessage): void {
    // Spec: the payload is notifications/disconnected (also the client's will). An empty payload is accepted too.
    if (m.payload.length === 0) return void this.teardown(session, false);
    const decoded = decodeMessage(m.payload);
    if (decoded.ok && 'method' in decoded.message && decoded.message.method === DISCONNECTED_METHOD) void this.teardown(session, false);
  }

  private protocolError(topic: string, reason: string): void {
    this.log.warn(`${this.name}: ${reason} (${topic})`);
    this.options.events?.({ kind: 'error', level: 'warn', summary: `${this.name}: ${reason}`, serverName: this.name, serverId: this.options.serverId, topic });
  }

  async publishRpc(clientId: string, message: JSONRPCMessage): Promise<void> {
    const topic = this.sessions.get(clientId)?.rpcTopic ?? topics.rpc(clientId, this.options.serverId, this.name);
    await this.requireConnection().publish(topic, JSON.stringify(message), { qos: 1, userProperties: this.properties });
  }

  /** Capability notifications go once per instance, however many clients' SDK servers sent the same one. */
  async publishCapability(message: JSONRPCMessage): Promise<void> {
    const payload = JSON.stringify(message);
    if (this.pendingCapability.has(payload)) return;
    this.pendingCapability.add(payload);
    setImmediate(() => this.pendingCapability.delete(payload));
    const topic = topics.serverCapability(this.options.serverId, this.name);
    await this.requireConnection().publish(topic, payload, { qos: 1, userProperties: this.properties });
  }

  sessionClosed(clientId: string, transport: ServerSessionTransport): void {
    const session = this.sessions.get(clientId);
    // Closing an old session (its teardown finishes late) must not end the client's newer one.
    if (session && session.transport === transport) void this.teardown(session, false);
  }

  /** Server-initiated de-initialize (spec §5.6): tell the client, then drop its topics. */
  async deinitialize(clientId: string): Promise<void> {
    const session = this.sessions.get(clientId);
    if (session) await this.teardown(session, true);
  }

  private async teardown(session: ClientSession, notifyClient: boolean): Promise<void> {
    if (this.sessions.get(session.clientId) !== session) return;
    this.sessions.delete(session.clientId);
    const connection = this.connection;
    if (notifyClient && connection?.connected) {
      await connection
        .publish(topics.rpc(session.clientId, this.options.serverId, this.name), DISCONNECTED_MESSAGE, { qos: 1, userProperties: this.properties })
        .catch(() => undefined);
    }
    for (const d of session.disposers) d();
    if (connection) await Promise.all(session.topics.map((t) => connection.unsubscribe(t).catch(() => undefined)));
    await session.server.close().catch(() => undefined);
    this.options.events?.({
      kind: 'session',
      summary: `${this.name}: client ${session.clientId} session ended`,
      serverName: this.name,
      serverId: this.options.serverId,
      clientId: session.clientId,
    });
  }

  private dropAllSessions(reason: string): void {
    if (this.sessions.size) this.log.info(`${this.name}: dropping ${this.sessions.size} session(s): ${reason}`);
    for (const session of [...this.sessions.values()]) void this.teardown(session, false);
  }

  /** Publishes a notification on the capability topic (list_changed, resources/updated). */
  async notifyCapability(method: string, params?: Record<string, unknown>): Promise<void> {
    await this.publishCapability({ jsonrpc: '2.0', method, ...(params ? { params } : {}) } as JSONRPCMessage);
  }

  /** Graceful shutdown (spec §5.7): empty retained presence before DISCONNECT. */
  async stop(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.running = false;
    if (connection.connected) {
      for (const session of [...this.sessions.values()]) await this.teardown(session, true);
      await connection
        .publish(topics.serverPresence(this.options.serverId, this.name), '', { qos: 1, retain: true, userProperties: this.properties })
        .catch((e) => this.log.warn(`clearing presence failed: ${errorMessage(e)}`));
    }
    this.dropAllSessions('server stopped');
    await connection.close();
    this.connection = undefined;
  }

  /** Drops the socket without DISCONNECT, like a crash: the broker's will clears presence. */
  crash(): void {
    const connection = this.connection;
    if (!connection) return;
    this.running = false;
    connection.destroy();
    this.dropAllSessions('server crashed');
    this.connection = undefined;
  }
}
