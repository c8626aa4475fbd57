// An in-process Streamable HTTP MCP endpoint for the devices one McpMqttClient discovers: one path per
// server-name on 127.0.0.1, guarded by a per-start bearer token. Each agent session is passed through to a
// device session of its own (pass-through.ts, device-transport.ts), so devices keep per-agent state apart.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import type { McpMqttClient } from '../client/mcp-client.js';
import type { EventSink } from '../events/event-log.js';
import { errorMessage, type Logger, nullLogger } from '../util/logger.js';
import { serverAccess } from '../rbac/client-access.js';
import { AgentHttpSession } from './agent-http.js';
import { DeviceTransport } from './device-transport.js';
import { checkRequest, refuse } from './http-guard.js';
import { PassThrough } from './pass-through.js';
import { Fleet, FleetEndpoint } from '../fleet/index.js';

export interface GatewayOptions {
  client: McpMqttClient;
  /** 0 or absent: a free port. */
  port?: number;
  /** Absent: a random token per start. */
  token?: string;
  host?: '127.0.0.1';
  events?: EventSink;
  logger?: Logger;
  /** Passed to each agent session's pass-through (its defaults: 10 s ping, 3 s optional lists). */
  pingTimeoutMs?: number;
  listTimeoutMs?: number;
  /** The broker's fleet server at /fleet (on unless false); maxCallMany caps its call_many (a function: read per call). */
  fleet?: false | { maxCallMany?: number | (() => number) };
}

export interface GatewayAddress {
  port: number;
  token: string;
  baseUrl: string;
}

export interface GatewayServer {
  name: string;
  url: string;
}

interface AgentSession {
  serverName: string;
  transport: AgentHttpSession;
  bridge: PassThrough;
}

const PATH_PREFIX = '/mcp/';
const FLEET_PATH = '/fleet';
/** Presence often changes in bursts (a fleet reconnecting): tell listeners once it settles. */
const CHANGE_DEBOUNCE_MS = 100;
/** Ended sessions remembered so a late request learns why, instead of a bare "not found". */
const REMEMBERED_ENDINGS = 200;
/** JSON-RPC code the SDK uses for "Session not found"; reused for every 404. */
const NOT_FOUND_CODE = -32001;
/** An agent calls in bursts with pauses: keep its connection (Node's default of 5 s closes it between bursts). */
const KEEP_ALIVE_MS = 60_000;

export class McpGateway {
  private http: HttpServer | undefined;
  private addr: GatewayAddress | undefined;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly endings = new Map<string, string>();
  private readonly listeners = new Set<(servers: GatewayServer[]) => void>();
  private stopWatching: (() => void) | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastNames = '';
  private readonly log: Logger;
  private readonly fleet: FleetEndpoint | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.log = options.logger ?? nullLogger;
    if (options.fleet !== false) {
      this.fleet = new FleetEndpoint(new Fleet({ client: options.client, maxCallMany: options.fleet?.maxCallMany, events: options.events }), options.events);
    }
  }

  /** The fleet server's endpoint and name, when it is on. */
  fleetServer(): GatewayServer | undefined {
    if (!this.addr || !this.fleet) return undefined;
    return { name: this.fleet.fleet.name, url: `${this.addr.baseUrl}${FLEET_PATH}` };
  }

  get address(): GatewayAddress | undefined {
    return this.addr;
  }
  /** Agent sessions currently open. */
  get sessionCount(): number {
    return this.sessions.size;
  }
  /** Plain calls whose agent still waits for the answer, over all sessions (nothing may stay behind a dropped agent). */
  get pendingAnswers(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.transport.pendingAnswers;
    return n;
  }

  async start(): Promise<GatewayAddress> {
    if (this.addr) return this.addr;
    const host = this.options.host ?? '127.0.0.1';
    const token = this.options.token ?? randomBytes(24).toString('base64url');
    const http = createServer({ keepAlive: true, keepAliveTimeout: KEEP_ALIVE_MS, noDelay: true }, (req, res) => {
      this.handle(req, res).catch((e) => {
        this.log.error(`gateway: ${req.method} ${req.url}: ${errorMessage(e)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: `gateway error: ${errorMessage(e)}` }, id: null }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.options.port ?? 0, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    this.http = http;
    this.addr = { port, token, baseUrl: `http://${host}:${port}` };
    this.lastNames = this.onlineNames().join('\n');
    this.stopWatching = this.options.client.registry.onDidChange(() => this.scheduleChange());
    this.log.info(`gateway listening on ${this.addr.baseUrl}`);
    return this.addr;
  }

  urlFor(serverName: string): string {
    if (!this.addr) throw new Error('the gateway is not started');
    return `${this.addr.baseUrl}${PATH_PREFIX}${encodeURIComponent(serverName)}`;
  }

  /** The online servers and their endpoints. */
  servers(): GatewayServer[] {
    return this.onlineNames().map((name) => ({ name, url: this.urlFor(name) }));
  }

  /** Called (debounced) when the set of online servers changes. */
  onDidChangeServers(listener: (servers: GatewayServer[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onlineNames(): string[] {
    return this.options.client.registry
      .servers()
      .filter((s) => s.online)
      .map((s) => s.name);
  }

  private scheduleChange(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      if (!this.addr) return;
      const names = this.onlineNames().join('\n');
      if (names === this.lastNames) return;
      this.lastNames = names;
      const servers = this.servers();
      for (const l of this.listeners) l(servers);
    }, CHANGE_DEBOUNCE_MS);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const addr = this.addr;
    if (!addr) return refuse(res, { status: 404, message: 'the gateway is stopping' }, NOT_FOUND_CODE);
    const refusal = checkRequest(req, addr.port, addr.token);
    if (refusal) return refuse(res, refusal);
    if (this.fleet && (req.url ?? '/').split('?')[0] === FLEET_PATH) {
      return this.fleet.handle(req, res, (message) => refuse(res, { status: 404, message }, NOT_FOUND_CODE));
    }
    const serverName = serverNameFromPath(req.url ?? '/');
    if (serverName === undefined) {
      return refuse(res, { status: 404, message: `no MCP endpoint at ${(req.url ?? '/').split('?')[0]}: use ${PATH_PREFIX}<url-encoded server-name>` }, NOT_FOUND_CODE);
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (session && session.serverName === serverName) return session.transport.handleRequest(req, res);
      const ending = this.endings.get(sessionId);
      return refuse(res, { status: 404, message: ending ? `Session not found: it ended (${ending}); start a new session` : 'Session not found' }, NOT_FOUND_CODE);
    }
    const known = this.options.client.registry.get(serverName);
    if (!known?.online) {
      const message = known
        ? `"${serverName}" is offline on ${this.options.client.brokerLabel}`
        : `no MCP server named "${serverName}" on ${this.options.client.brokerLabel}`;
      return refuse(res, { status: 404, message }, NOT_FOUND_CODE);
    }
    if (req.method !== 'POST') return refuse(res, { status: 400, message: 'no Mcp-Session-Id header: start a session with an initialize POST' });
    await this.openSession(serverName, req, res);
  }

  private async openSession(serverName: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { client, events } = this.options;
    let sessionId: string | undefined;
    const transport = new AgentHttpSession({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessionId = id;
        this.sessions.set(id, session);
        events?.({ kind: 'session', summary: `gateway: agent session opened with ${serverName}`, serverName, source: 'agent' });
      },
    });
    const bridge = new PassThrough({
      agent: transport,
      serverName,
      openDevice: () => new DeviceTransport(client, serverName, events),
      access: () => serverAccess(client, serverName),
      relateToRequests: true,
      pingTimeoutMs: this.options.pingTimeoutMs,
      listTimeoutMs: this.options.listTimeoutMs,
      onRequestAbandoned: (id) => transport.closeSSEStream(id),
      logger: this.log,
    });
    const session: AgentSession = { serverName, transport, bridge };
    bridge.onClose((reason) => {
      if (!sessionId || this.sessions.get(sessionId) !== session) return;
      this.sessions.delete(sessionId);
      this.remember(sessionId, reason ?? 'closed');
      events?.({ kind: 'session', summary: `gateway: agent session with ${serverName} ended${reason ? `: ${reason}` : ''}`, serverName, source: 'agent' });
    });
    await bridge.start();
    await transport.handleRequest(req, res);
    // Anything but an initialize was answered with an error by the transport and leaves nothing to keep.
    if (!sessionId) await bridge.close();
  }

  private remember(sessionId: string, reason: string): void {
    this.endings.set(sessionId, reason);
    if (this.endings.size > REMEMBERED_ENDINGS) this.endings.delete(this.endings.keys().next().value as string);
  }

  /** Ends every agent session (each de-initializes its device session) and closes the port. */
  async stop(): Promise<void> {
    const http = this.http;
    if (!http) return;
    this.http = undefined;
    this.addr = undefined;
    this.stopWatching?.();
    if (this.changeTimer) clearTimeout(this.changeTimer);
    await Promise.all([...this.sessions.values()].map((s) => s.bridge.close('gateway stopped')));
    await this.fleet?.close();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }
}

/** `/mcp/<url-encoded server-name>` → the name; undefined for any other path. */
export function serverNameFromPath(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  if (!path.startsWith(PATH_PREFIX) || path.length === PATH_PREFIX.length) return undefined;
  try {
    return decodeURIComponent(path.slice(PATH_PREFIX.length));
  } catch {
    return undefined;
  }
}
