// Errors this side makes up for a pending request (a lost connection, an answer that cannot be used, no
// answer in time), told apart from errors a server really answered with. The SDK turns every JSON-RPC error
// into the same McpError, keeping `data` as given: a symbol key on it cannot come from a device's JSON.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

const LOCAL = Symbol('mqtt-mcp local error');

/** connection: lost broker, device offline, session ended. malformed: the device's answer was unusable. */
export type LocalErrorKind = 'connection' | 'malformed';

export function localErrorData(kind: LocalErrorKind): Record<string, unknown> {
  // The enumerable part reaches agents through the gateway as JSON, so they can tell too.
  return { [LOCAL]: kind, origin: 'mqtt-mcp', kind };
}

export type RequestFailure =
  | { kind: LocalErrorKind; message: string }
  | { kind: 'timeout'; message: string; timeoutMs: number | undefined }
  | { kind: 'server'; code: number; message: string }
  | { kind: 'other'; message: string };

/** What kind of failure `e` (thrown by an SDK request) is. */
export function classifyRequestError(e: unknown): RequestFailure {
  if (!(e instanceof McpError)) return { kind: 'other', message: e instanceof Error ? e.message : String(e) };
  const message = e.message.replace(/^(MCP error -?\d+: )+/, '');
  const data = e.data as Record<string | symbol, unknown> | undefined;
  const local = typeof data === 'object' && data !== null ? data[LOCAL] : undefined;
  if (local === 'connection' || local === 'malformed') return { kind: local, message };
  // The SDK's own timeout and close: made locally, with exactly these shapes.
  if (e.code === ErrorCode.RequestTimeout && message === 'Request timed out' && typeof data?.timeout === 'number')
    return { kind: 'timeout', message, timeoutMs: data.timeout };
  if (e.code === ErrorCode.ConnectionClosed && message === 'Connection closed' && data === undefined) return { kind: 'connection', message: 'the session closed' };
  return { kind: 'server', code: e.code, message };
}

/** One sentence for a person: "<server> answered with error" only when it did. */
export function describeRequestError(e: unknown, serverName: string): string {
  const f = classifyRequestError(e);
  switch (f.kind) {
    case 'server':
      return `${serverName} answered with error ${f.code}: ${f.message}`;
    case 'timeout':
      return `no answer from ${serverName}${f.timeoutMs !== undefined ? ` within ${f.timeoutMs} ms` : ''} (timed out here)`;
    case 'connection':
      return f.message.includes(serverName) ? f.message : `lost the session with ${serverName}: ${f.message}`;
    case 'malformed':
      return f.message.includes(serverName) ? f.message : `${serverName} sent an unusable answer: ${f.message}`;
    default:
      return f.message;
  }
}
