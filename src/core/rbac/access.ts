// RBAC as the spec defines it (digest §3, §4, §6): the broker hands a client roles per server-name in the
// CONNACK property MCP-RBAC (`[{server_name, role_name}]`), each server declares what its roles may do in
// its presence (`meta.rbac.roles[*]`: allowed_methods, allowed_tools, allowed_resources), and requests are
// judged by method, by `params.name` of tools/call, and by `params.uri` of resources/read|subscribe|
// unsubscribe. Pure: the client views, the agent faces and the embedded broker's policy all ask here.
import type { RbacRole } from '../protocol/presence.js';
import type { RbacAssignment } from '../protocol/properties.js';
import { topicMatches } from '../protocol/topics.js';

/**
 * JSON-RPC error code of a request refused for RBAC, by the embedded broker's policy and by the DevKit's own
 * faces alike. The spec names none; -32003 ("forbidden" in several JSON-RPC APIs) is this project's choice.
 */
export const NOT_ALLOWED_CODE = -32003;

export interface AccessRequest {
  method: string;
  /** `params.name` of tools/call. */
  tool?: string;
  /** `params.uri` of resources/read, resources/subscribe, resources/unsubscribe. */
  resource?: string;
}

export interface Access {
  allowed: boolean;
  /** Why, in words for a person ("role viewer does not allow tool set_target"). */
  reason: string;
  /** The role that decided, when one did. */
  role?: string;
}

/**
 * Methods a role never needs to list. The spec is silent on them. initialize goes to the control topic before
 * any session exists (the spec's example roles list notifications/initialized, not initialize); the others
 * only end or shrink work the role already allowed (de-initializing, cancelling): refusing them would leave
 * sessions and requests hanging.
 */
const ALWAYS_ALLOWED = new Set(['initialize', 'notifications/disconnected', 'notifications/cancelled']);
const RESOURCE_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);

/**
 * The role assigned for a server-name. The spec calls `server_name` a name; it is matched as an MQTT topic
 * filter here (an exact name matches itself), which also serves brokers that assign per group (`demo/#`).
 * The first matching entry wins, as the broker listed them.
 */
export function roleFor(assignments: readonly RbacAssignment[], serverName: string): string | undefined {
  for (const a of assignments) if (a.serverName === serverName || topicMatches(a.serverName, serverName)) return a.roleName;
  return undefined;
}

/**
 * Whether `request` is allowed for a client holding `assignments` (undefined: the broker sent no MCP-RBAC)
 * on a server declaring `roles`. Tolerant where the spec is silent, and says so in the reason:
 * no MCP-RBAC, no role for this server, or a server that declares no roles at all: nothing is restricted.
 * A role the server does not declare allows nothing (the broker has nothing to allow it by).
 */
export function checkAccess(
  assignments: readonly RbacAssignment[] | undefined,
  roles: readonly RbacRole[],
  serverName: string,
  request: AccessRequest,
): Access {
  if (!assignments) return { allowed: true, reason: 'the broker assigns no RBAC roles' };
  const roleName = roleFor(assignments, serverName);
  if (roleName === undefined) return { allowed: true, reason: `the broker assigns no role for ${serverName}` };
  if (roles.length === 0) return { allowed: true, reason: `${serverName} declares no RBAC roles`, role: roleName };
  const role = roles.find((r) => r.name === roleName);
  if (!role) return { allowed: false, reason: `role ${roleName} is not one ${serverName} declares`, role: roleName };
  return checkRole(role, request);
}

/** One role's verdict. An absent list (the spec's shape always has them) restricts nothing. */
export function checkRole(role: RbacRole, request: AccessRequest): Access {
  const name = role.name;
  if (ALWAYS_ALLOWED.has(request.method)) return { allowed: true, reason: `${request.method} is always allowed`, role: name };
  if (role.allowedMethods && !role.allowedMethods.includes(request.method)) {
    return { allowed: false, reason: `role ${name} does not allow method ${request.method}`, role: name };
  }
  if (request.method === 'tools/call' && request.tool !== undefined && !listed(role.allowedTools, request.tool)) {
    return { allowed: false, reason: `role ${name} does not allow tool ${request.tool}`, role: name };
  }
  if (RESOURCE_METHODS.has(request.method) && request.resource !== undefined && !listed(role.allowedResources, request.resource)) {
    return { allowed: false, reason: `role ${name} does not allow resource ${request.resource}`, role: name };
  }
  return { allowed: true, reason: `allowed by role ${name}`, role: name };
}

/**
 * "all", or a list of names or URIs. The spec gives exact names; a `*` inside an entry matching any run of
 * characters is an extension (e.g. `sensor://room/*`), harmless for lists that use none.
 */
function listed(list: 'all' | string[] | undefined, value: string): boolean {
  if (list === undefined || list === 'all') return true;
  return list.some((entry) => entry === value || (entry.includes('*') && globMatches(entry, value)));
}

/** A glob where `*` matches any run of characters (leftmost-first, which is exact for `*`-only globs). */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0] as string;
  if (!value.startsWith(first)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i] as string, at);
    if (found < 0) return false;
    at = found + (parts[i] as string).length;
  }
  const last = parts[parts.length - 1] as string;
  return value.length - last.length >= at && value.endsWith(last);
}

/** What a JSON-RPC message asks for, for checkAccess; undefined for responses (they answer the server). */
export function accessRequestOf(message: unknown): AccessRequest | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const m = message as { method?: unknown; params?: unknown };
  if (typeof m.method !== 'string') return undefined;
  const params = typeof m.params === 'object' && m.params !== null ? (m.params as { name?: unknown; uri?: unknown }) : {};
  const request: AccessRequest = { method: m.method };
  if (m.method === 'tools/call') request.tool = typeof params.name === 'string' ? params.name : '';
  if (RESOURCE_METHODS.has(m.method)) request.resource = typeof params.uri === 'string' ? params.uri : '';
  return request;
}

export const toolCall = (tool: string): AccessRequest => ({ method: 'tools/call', tool });
export const resourceRead = (uri: string): AccessRequest => ({ method: 'resources/read', resource: uri });
