// The retained `notifications/server/online` message: what discovery knows about a server before initializing.

export const ONLINE_METHOD = 'notifications/server/online';
export const DISCONNECTED_METHOD = 'notifications/disconnected';

export interface RbacRole {
  name: string;
  description?: string;
  allowedMethods?: string[];
  allowedTools?: 'all' | string[];
  allowedResources?: 'all' | string[];
}

export interface PresenceInfo {
  description: string;
  meta: Record<string, unknown>;
  rbacRoles: RbacRole[];
  /** `params.server_name` when given and different from the topic's name (the topic wins). */
  mismatchedServerName?: string;
}

/** Presence is a short announcement: anything larger or deeper is refused, for that server only. */
export const MAX_PRESENCE_BYTES = 256 * 1024;
export const MAX_PRESENCE_DEPTH = 64;

export type PresenceParse =
  | { kind: 'online'; info: PresenceInfo; warnings: string[] }
  | { kind: 'offline' }
  | { kind: 'invalid'; reason: string };

/**
 * Parses a presence payload leniently: an empty payload is offline; `server_name` may be missing (the Python
 * SDK omits it); `meta` may carry `rbac.roles` (current) or `authorization.roles` (EMQX gateway, older).
 */
export function parsePresence(payload: Uint8Array | string, topicServerName: string): PresenceParse {
  if (payload.length === 0) return { kind: 'offline' };
  if (payload.length > MAX_PRESENCE_BYTES) return { kind: 'invalid', reason: `presence payload is ${payload.length} bytes, above the ${MAX_PRESENCE_BYTES}-byte limit` };
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  // JSON.parse copes with any depth, but every later recursive walk (stringify, the tree, the agent) would not.
  const depth = nestingDepth(text, MAX_PRESENCE_DEPTH);
  if (depth > MAX_PRESENCE_DEPTH) return { kind: 'invalid', reason: `presence payload nests deeper than ${MAX_PRESENCE_DEPTH} levels` };
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', reason: `presence payload is not JSON: ${(e as Error).message}` };
  }
  if (!isObject(msg)) return { kind: 'invalid', reason: 'presence payload is not a JSON object' };
  if (msg.method !== ONLINE_METHOD)
    return { kind: 'invalid', reason: `presence method is ${JSON.stringify(msg.method)}, expected "${ONLINE_METHOD}"` };
  const warnings: string[] = [];
  if (msg.jsonrpc !== '2.0') warnings.push('presence message lacks "jsonrpc": "2.0"');
  if ('id' in msg) warnings.push('presence notification carries an "id"');
  const params = isObject(msg.params) ? msg.params : {};
  if (!isObject(msg.params)) warnings.push('presence message has no params object');
  const description = typeof params.description === 'string' ? params.description : '';
  if (typeof params.description !== 'string') warnings.push('params.description is not a string');
  const meta = isObject(params.meta) ? params.meta : {};
  const info: PresenceInfo = { description, meta, rbacRoles: parseRoles(meta) };
  if (typeof params.server_name === 'string' && params.server_name !== topicServerName) {
    info.mismatchedServerName = params.server_name;
    warnings.push(`params.server_name "${params.server_name}" differs from the topic's "${topicServerName}"`);
  }
  return { kind: 'online', info, warnings };
}

// What every SDK we know writes first. A payload starting so is taken as online presence at once and parsed
// fully only when first read (discovery of 100,000 devices should not JSON.parse what nobody looks at).
const COMMON_PREFIXES = [
  `{"jsonrpc":"2.0","method":"${ONLINE_METHOD}","params":{`,
  `{"method":"${ONLINE_METHOD}","jsonrpc":"2.0","params":{`,
].map((p) => Buffer.from(p));

/** Whether a payload has the common presence shape's start, so that its full parse can be deferred. */
export function hasCommonPresenceShape(payload: Buffer): boolean {
  for (const prefix of COMMON_PREFIXES) if (payload.length > prefix.length && payload.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) return true;
  return false;
}

/** Deepest bracket nesting outside strings, counting stops just past `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function buildOnlineMessage(serverName: string, description: string, meta?: Record<string, unknown>): string {
  const params: Record<string, unknown> = { server_name: serverName, description };
  if (meta && Object.keys(meta).length > 0) params.meta = meta;
  return JSON.stringify({ jsonrpc: '2.0', method: ONLINE_METHOD, params });
}

export const DISCONNECTED_MESSAGE = JSON.stringify({ jsonrpc: '2.0', method: DISCONNECTED_METHOD });

function parseRoles(meta: Record<string, unknown>): RbacRole[] {
  const container = isObject(meta.rbac) ? meta.rbac : isObject(meta.authorization) ? meta.authorization : undefined;
  const roles = container && Array.isArray(container.roles) ? container.roles : [];
  return roles.filter(isObject).flatMap((r) => {
    if (typeof r.name !== 'string') return [];
    const role: RbacRole = { name: r.name };
    if (typeof r.description === 'string') role.description = r.description;
    if (Array.isArray(r.allowed_methods)) role.allowedMethods = r.allowed_methods.filter((m): m is string => typeof m === 'string');
    const list = (v: unknown): 'all' | string[] | undefined =>
      v === 'all' ? 'all' : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
    const tools = list(r.allowed_tools);
    if (tools) role.allowedTools = tools;
    const resources = list(r.allowed_resources);
    if (resources) role.allowedResources = resources;
    return [role];
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
