// The MCP RBAC policy as a broker authorizer (core/broker/authorizer.ts): CONNACK properties from the
// policy's rules, the roles servers declare in their presence, and a check of every request a client
// publishes on its RPC topic. A refused request is answered the way the EMQX MCP gateway answers requests it
// cannot serve, with a JSON-RPC error on the client's RPC topic, so the caller gets a clear error at once
// instead of a timeout; the PUBACK (QoS 1) says 0x87 Not authorized. A refused notification
// (e.g. notifications/initialized) can only be refused through the PUBACK.
import type { BrokerAuthorizer, PublishRefusal } from '../broker/authorizer.js';
import { NOT_AUTHORIZED } from '../broker/authorizer.js';
import { parsePresence, type RbacRole } from '../protocol/presence.js';
import { PROP, firstProperty, type RbacAssignment, type UserProperties } from '../protocol/properties.js';
import { parseTopic, topicMatches } from '../protocol/topics.js';
import { accessRequestOf, checkAccess, NOT_ALLOWED_CODE } from './access.js';
import { globMatch, type PolicyRule, type RbacPolicy } from './policy.js';


export interface RbacEnforcer extends BrokerAuthorizer {
  /** The roles a client was assigned at CONNECT (tests, diagnostics). */
  assignmentsOf(clientId: string): readonly RbacAssignment[] | undefined;
}

export function rbacAuthorizer(policy: RbacPolicy, log: (message: string) => void = () => undefined): RbacEnforcer {
  const assignments = new Map<string, RbacAssignment[]>();
  /** server-name → server-id → the roles its presence declares (only servers that declare some). */
  const declared = new Map<string, Map<string, RbacRole[]>>();

  const rolesFor = (serverName: string, serverId: string | undefined): readonly RbacRole[] => {
    const instances = declared.get(serverName);
    const own = (serverId !== undefined ? instances?.get(serverId) : undefined) ?? instances?.values().next().value;
    if (own) return own;
    return policy.roles.filter((r) => topicMatches(r.servers, serverName) || r.servers === serverName);
  };

  const notePresence = (serverId: string, serverName: string, payload: Buffer): void => {
    const parsed = parsePresence(payload, serverName);
    const roles = parsed.kind === 'online' ? parsed.info.rbacRoles : [];
    const instances = declared.get(serverName);
    if (roles.length === 0) {
      instances?.delete(serverId);
      if (instances?.size === 0) declared.delete(serverName);
      return;
    }
    if (instances) instances.set(serverId, roles);
    else declared.set(serverName, new Map([[serverId, roles]]));
  };

  return {
    assignmentsOf: (clientId) => assignments.get(clientId),

    connect({ clientId, username, userProperties }) {
      const componentType = firstProperty(userProperties, PROP.componentType);
      const rule = policy.rules.find((r) => matches(r, clientId, username, componentType));
      if (!rule) return undefined;
      const props: UserProperties = {};
      if (rule.serverName !== undefined && componentType !== 'mcp-client') props[PROP.serverName] = rule.serverName.replaceAll('{clientId}', clientId);
      if (rule.serverNameFilters) props[PROP.serverNameFilters] = JSON.stringify(rule.serverNameFilters);
      if (rule.rbac) {
        assignments.set(clientId, rule.rbac);
        props[PROP.rbac] = JSON.stringify(rule.rbac.map((a) => ({ server_name: a.serverName, role_name: a.roleName })));
      }
      return Object.keys(props).length > 0 ? props : undefined;
    },

    publish({ clientId, topic, payload }): PublishRefusal | undefined {
      if (topic.startsWith('$mcp-server/presence/')) {
        const parsed = parseTopic(topic);
        if (parsed?.kind === 'server-presence') notePresence(parsed.serverId, parsed.serverName, payload);
        return undefined;
      }
      // initialize (on the control topic) is not checked: RBAC judges what a session does, and the spec's
      // roles list notifications/initialized, not initialize.
      if (!topic.startsWith('$mcp-rpc')) return undefined;
      const mine = assignments.get(clientId);
      if (!mine) return undefined;
      const parsed = parseTopic(topic);
      // A server answering, or a client on someone else's topic (topic ACLs are not this policy's business).
      if (!parsed || (parsed.kind !== 'rpc' && parsed.kind !== 'legacy-rpc') || parsed.clientId !== clientId) return undefined;
      let message: unknown;
      try {
        message = JSON.parse(payload.toString('utf8'));
      } catch {
        return undefined; // not JSON-RPC: the server answers that itself
      }
      const request = accessRequestOf(message);
      if (!request) return undefined;
      const serverId = parsed.kind === 'rpc' ? parsed.serverId : undefined;
      const access = checkAccess(mine, rolesFor(parsed.serverName, serverId), parsed.serverName, request);
      if (access.allowed) return undefined;
      const reasonString = `not allowed: ${access.reason}`;
      log(`refused ${request.method}${request.tool ? ` ${request.tool}` : ''}${request.resource ? ` ${request.resource}` : ''} from '${clientId}' to ${parsed.serverName}: ${access.reason}`);
      const id = (message as { id?: unknown }).id;
      if (typeof id !== 'string' && typeof id !== 'number') return { reasonCode: NOT_AUTHORIZED, reasonString };
      const error = { code: NOT_ALLOWED_CODE, message: reasonString, data: { rbac: { role: access.role, reason: access.reason } } };
      return { reasonCode: NOT_AUTHORIZED, reasonString, answer: { topic, payload: JSON.stringify({ jsonrpc: '2.0', id, error }) } };
    },

    closed(clientId) {
      assignments.delete(clientId);
    },
  };
}

function matches(rule: PolicyRule, clientId: string, username: string | undefined, componentType: string | undefined): boolean {
  const m = rule.match;
  if (m.clientId !== undefined && !globMatch(m.clientId, clientId)) return false;
  if (m.username !== undefined && (username === undefined || !globMatch(m.username, username))) return false;
  if (m.componentType !== undefined && m.componentType !== componentType) return false;
  return true;
}
