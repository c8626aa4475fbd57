// The fleet server over Streamable HTTP: one SDK Server and transport per agent session, on the gateway's
// port behind its token (the gateway hands requests for its fleet path here). Its transport is the gateway's
// own agent session: a plain call is answered with one JSON body instead of an SSE stream per call.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AgentHttpSession } from '../gateway/agent-http.js';
import type { EventSink } from '../events/event-log.js';
import type { Fleet } from './fleet-server.js';

interface FleetSession {
  transport: AgentHttpSession;
  close: () => Promise<void>;
}

export class FleetEndpoint {
  private readonly sessions = new Map<string, FleetSession>();

  constructor(
    readonly fleet: Fleet,
    private readonly events?: EventSink,
  ) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Handles one HTTP request already past the gateway's token and origin checks. */
  async handle(req: IncomingMessage, res: ServerResponse, notFound: (message: string) => void): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) return notFound('Session not found: start a new session with an initialize POST');
      return session.transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return notFound('no Mcp-Session-Id header: start a session with an initialize POST');
    const server = this.fleet.createServer();
    let id: string | undefined;
    const transport = new AgentHttpSession({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        id = sid;
        this.sessions.set(sid, session);
        this.events?.({ kind: 'session', summary: `gateway: agent session opened with ${this.fleet.name}`, source: 'agent', broker: this.fleet.client.brokerLabel });
      },
    });
    const session: FleetSession = { transport, close: () => server.close() };
    transport.onclose = () => {
      if (id && this.sessions.get(id) === session) this.sessions.delete(id);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    if (!id) await server.close();
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }
}
