// What one client may do on one discovered server, for the views and agent faces that mark or hide what
// the broker would refuse. Reads the roles from presence only when the broker assigned RBAC at all, so a
// broker without MCP-RBAC (Mosquitto, most set-ups) costs nothing, not even a deferred presence parse.
import type { RbacRole } from '../protocol/presence.js';
import type { RbacAssignment } from '../protocol/properties.js';
import { checkAccess, resourceRead, toolCall, type Access, type AccessRequest } from './access.js';

/** The part of McpMqttClient this needs (also satisfied by test doubles of the registry view). */
export interface AccessSource {
  readonly rbacAssignments: readonly RbacAssignment[] | undefined;
  readonly registry: { instancesOf(name: string): readonly { rbacRoles: RbacRole[] }[] };
}

export interface ServerAccess {
  /** False when nothing can be restricted (no MCP-RBAC): callers may skip the checks entirely. */
  readonly restricted: boolean;
  check(request: AccessRequest): Access;
  tool(name: string): Access;
  resource(uri: string): Access;
}

const UNRESTRICTED: ServerAccess = {
  restricted: false,
  check: () => ({ allowed: true, reason: 'the broker assigns no RBAC roles' }),
  tool: () => ({ allowed: true, reason: 'the broker assigns no RBAC roles' }),
  resource: () => ({ allowed: true, reason: 'the broker assigns no RBAC roles' }),
};

/** The server's declared roles: instances of one name offer identical service, so the first that declares any speaks for all. */
export function declaredRoles(source: AccessSource, serverName: string): readonly RbacRole[] {
  for (const instance of source.registry.instancesOf(serverName)) if (instance.rbacRoles.length > 0) return instance.rbacRoles;
  return [];
}

export function serverAccess(source: AccessSource | undefined, serverName: string): ServerAccess {
  const assignments = source?.rbacAssignments;
  if (!source || !assignments) return UNRESTRICTED;
  const roles = declaredRoles(source, serverName);
  const check = (request: AccessRequest): Access => checkAccess(assignments, roles, serverName, request);
  return { restricted: true, check, tool: (name) => check(toolCall(name)), resource: (uri) => check(resourceRead(uri)) };
}

/** The refusal text every face uses, so the tree, the invoker and the agent say the same thing. */
export function notAllowedMessage(access: Access): string {
  return `not allowed: ${access.reason}`;
}
