// One agent's Streamable HTTP session, with a JSON answer for the common call. The SDK transport answers every
// POST with an SSE stream (or, in its JSON mode, every POST with JSON and drops progress), and converts each
// Node request to a Web Request first; a tool call that streams nothing pays for all of that. Here a plain
// request (one JSON-RPC request, no progress token) is answered with `application/json`; if the device sends
// anything related before the answer (a server-to-client request, logging), the same response turns into an
// SSE stream, which the Streamable HTTP spec allows per response. Everything else (initialize, GET streams,
// DELETE, notifications, batches, calls with a progress token, bad headers) goes to the SDK transport.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The SDK transport's own limit, so both paths refuse the same bodies. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface PendingAnswer {
  res: ServerResponse;
  /** The request's connection (a response is detached from it once the connection closes). */
  socket: Socket;
  /** Headers are written: an SSE stream (something came before the answer). */
  streaming: boolean;
}

export interface AgentHttpSessionOptions {
  onsessioninitialized: (sessionId: string) => void;
  sessionIdGenerator: () => string;
}

export class AgentHttpSession implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly sdk: StreamableHTTPServerTransport;
  /** Plain requests answered here, by JSON-RPC id; an entry lives until its answer or its connection's end. */
  private readonly pending = new Map<RequestId, PendingAnswer>();
  /** Connections already watched for their end: one listener per keep-alive connection, not one per request. */
  private readonly watched = new WeakSet<Socket>();

  constructor(options: AgentHttpSessionOptions) {
    this.sdk = new StreamableHTTPServerTransport(options);
    this.sdk.onmessage = (m) => this.onmessage?.(m);
    this.sdk.onerror = (e) => this.onerror?.(e);
    this.sdk.onclose = () => {
      this.endPending('the gateway session ended');
      this.onclose?.();
    };
  }

  get sessionId(): string | undefined {
    return this.sdk.sessionId;
  }
  /** Plain requests waiting for their answer (for tests: nothing may stay behind). */
  get pendingAnswers(): number {
    return this.pending.size;
  }

  start(): Promise<void> {
    return this.sdk.start();
  }

  close(): Promise<void> {
    return this.sdk.close();
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.canAnswerDirectly(req)) return this.sdk.handleRequest(req, res);
    const body = await readBody(req);
    if (body === undefined) return writeError(res, 413, -32000, `Payload Too Large: the body exceeds ${MAX_BODY_BYTES} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return writeError(res, 400, -32700, 'Parse error: Invalid JSON');
    }
    const request = plainRequest(parsed);
    if (!request || this.pending.has(request.id)) return this.sdk.handleRequest(req, res, parsed);
    this.pending.set(request.id, { res, socket: req.socket, streaming: false });
    this.watchConnection(req.socket);
    this.onmessage?.(request);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isAnswer = !('method' in message) && 'id' in message;
    const id = isAnswer ? (message as { id: RequestId }).id : options?.relatedRequestId;
    const entry = id === undefined ? undefined : this.pending.get(id);
    if (!entry) return this.sdk.send(message, options);
    if (!isAnswer) return this.stream(entry, message);
    this.pending.delete(id!);
    if (entry.streaming) {
      entry.res.end(sseEvent(message));
      return;
    }
    const body = JSON.stringify(message);
    entry.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...this.sessionHeader() });
    entry.res.end(body);
  }

  /** An agent that drops its connection leaves no answers behind to wait for (a late answer would go nowhere). */
  private watchConnection(socket: Socket): void {
    if (this.watched.has(socket)) return;
    this.watched.add(socket);
    socket.once('close', () => {
      for (const [id, entry] of this.pending) if (entry.socket === socket) this.pending.delete(id);
    });
  }

  /** The agent cancelled the request: release its response without an answer (as the SDK ends its stream). */
  closeSSEStream(requestId: RequestId): void {
    const entry = this.pending.get(requestId);
    if (!entry) return this.sdk.closeSSEStream(requestId);
    this.pending.delete(requestId);
    if (!entry.streaming) entry.res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...this.sessionHeader() });
    entry.res.end();
  }

  private stream(entry: PendingAnswer, message: JSONRPCMessage): void {
    if (!entry.streaming) {
      entry.streaming = true;
      entry.res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', ...this.sessionHeader() });
    }
    entry.res.write(sseEvent(message));
  }

  /** Headers the SDK would accept for a request in this session; anything else it refuses in its own words. */
  private canAnswerDirectly(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || this.sdk.sessionId === undefined) return false;
    if (req.headers['mcp-session-id'] !== this.sdk.sessionId) return false;
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return false;
    const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') return false;
    const version = req.headers['mcp-protocol-version'];
    return version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version));
  }

  private sessionHeader(): Record<string, string> {
    return this.sdk.sessionId ? { 'mcp-session-id': this.sdk.sessionId } : {};
  }

  private endPending(reason: string): void {
    for (const [id, entry] of this.pending) {
      const answer: JSONRPCMessage = { jsonrpc: '2.0', id, error: { code: -32000, message: reason } };
      if (entry.streaming) entry.res.end(sseEvent(answer));
      else writeJson(entry.res, 200, answer);
    }
    this.pending.clear();
  }
}

/** One JSON-RPC request that needs no stream of its own: not initialize, no progress token. */
function plainRequest(value: unknown): (JSONRPCMessage & { id: RequestId }) | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  if (m.jsonrpc !== '2.0' || typeof m.method !== 'string' || m.method === 'initialize') return undefined;
  if (typeof m.id !== 'string' && typeof m.id !== 'number') return undefined;
  if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null)) return undefined;
  const meta = (m.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
  if (meta?.progressToken !== undefined) return undefined;
  return value as JSONRPCMessage & { id: RequestId };
}

/** The body as text; undefined when it is larger than the limit (listeners, not an async iterator: this is the hot path). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > MAX_BODY_BYTES ? undefined : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function writeError(res: ServerResponse, status: number, code: number, message: string): void {
  writeJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
