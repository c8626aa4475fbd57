// Reading JSON-RPC payloads off the wire without trusting them. The SDK validates message contents
// against its schemas afterwards; this only decides whether a payload is a JSON-RPC message at all.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../util/json-limits.js';

/** A refused payload keeps its `id` when it had a usable one, so a pending request can fail with the reason. */
export type Decoded = { ok: true; message: JSONRPCMessage; warning?: string } | { ok: false; reason: string; id?: string | number };

export function decodeMessage(payload: Buffer): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `payload is not JSON (${(e as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: Array.isArray(value) ? 'JSON-RPC batches are not used by this transport' : 'payload is not a JSON object' };
  const m = value as Record<string, unknown>;
  const hasId = typeof m.id === 'string' || typeof m.id === 'number';
  // Only an answer (no method) carries one of our ids; a device's own request id could collide with it.
  const answerId = hasId && typeof m.method !== 'string' ? { id: m.id as string | number } : {};
  // Each level of nesting takes at least two bytes ("[" and "]"), so a short payload cannot be too deep: most
  // messages skip the walk over their objects.
  if (payload.length > 2 * MAX_JSON_DEPTH && exceedsJsonDepth(value)) return { ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels`, ...answerId };
  const isRequestOrNotification = typeof m.method === 'string';
  const isResponse = hasId && ('result' in m || 'error' in m);
  if (!isRequestOrNotification && !isResponse) return { ok: false, reason: 'not a JSON-RPC request, notification or response' };
  if ('error' in m && (typeof m.error !== 'object' || m.error === null || typeof (m.error as { code?: unknown }).code !== 'number'))
    return { ok: false, reason: 'JSON-RPC error without a numeric code', ...answerId };
  let warning: string | undefined;
  if (m.jsonrpc !== '2.0') {
    // Tolerated: some firmware omits it; the SDK would otherwise discard the message.
    warning = 'message lacks "jsonrpc": "2.0"';
    m.jsonrpc = '2.0';
  }
  return { ok: true, message: m as unknown as JSONRPCMessage, warning };
}

/**
 * What is wrong with a response, in words, or undefined when the SDK can take it. The SDK silently drops a
 * response that fails its schema (`result: null`, an error without a message), so its caller would wait for
 * the timeout; the transport fails the request with this reason instead.
 */
export function responseProblem(m: Record<string, unknown>): string | undefined {
  if ('result' in m && 'error' in m) return 'it has both "result" and "error"';
  if ('result' in m) {
    const r = m.result;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return `"result" is ${r === null ? 'null' : Array.isArray(r) ? 'an array' : `a ${typeof r}`}, not an object`;
    return undefined;
  }
  const e = m.error as Record<string, unknown>;
  if (!Number.isInteger(e.code)) return 'the error code is not an integer';
  if (typeof e.message !== 'string') return `the error has no message${e.message === undefined ? '' : ' string'}`;
  return undefined;
}

export function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: string | number; method: string } {
  return 'method' in m && 'id' in m && m.id !== undefined;
}
export function isNotification(m: JSONRPCMessage): m is JSONRPCMessage & { method: string } {
  return 'method' in m && !('id' in m && m.id !== undefined);
}
export function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: string | number } {
  return !('method' in m) && 'id' in m;
}

/** Notifications that travel on the server's capability topic instead of the RPC topic. */
export const CAPABILITY_METHODS = new Set([
  'notifications/tools/list_changed',
  'notifications/resources/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/updated',
]);

export function describeMessage(m: JSONRPCMessage): string {
  if ('method' in m) return 'id' in m && m.id !== undefined ? `${m.method} #${m.id}` : m.method;
  if ('error' in m) return `error #${m.id}: ${m.error.code} ${m.error.message}`;
  return `result #${(m as { id: string | number }).id}`;
}
