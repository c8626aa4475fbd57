// MQTT 5 user properties defined by the transport, and the CONNACK properties a broker (e.g. the EMQX MCP
// gateway) may add. User properties arrive as string or string[] (a key may repeat); helpers take the first.

import { assertValidServerNameFilter } from './topics.js';

export const PROP = {
  componentType: 'MCP-COMPONENT-TYPE',
  clientId: 'MCP-MQTT-CLIENT-ID',
  meta: 'MCP-META',
  serverName: 'MCP-SERVER-NAME',
  serverNameFilters: 'MCP-SERVER-NAME-FILTERS',
  rbac: 'MCP-RBAC',
} as const;

export type ComponentType = 'mcp-client' | 'mcp-server';
export type UserProperties = Record<string, string | string[]>;

export function firstProperty(props: UserProperties | undefined, key: string): string | undefined {
  const v = props?.[key];
  return Array.isArray(v) ? v[0] : v;
}

/** The two properties every MCP publish carries. Built once per connection: this is on the hot path. */
export function publishProperties(componentType: ComponentType, mqttClientId: string): UserProperties {
  return { [PROP.componentType]: componentType, [PROP.clientId]: mqttClientId };
}

export function connectProperties(componentType: ComponentType, meta: Record<string, unknown> | undefined): UserProperties {
  const props: UserProperties = { [PROP.componentType]: componentType };
  if (meta) props[PROP.meta] = JSON.stringify(meta);
  return props;
}

export interface RbacAssignment {
  serverName: string;
  roleName: string;
}

export interface ConnackMcpProperties {
  /** Broker-assigned server-name (servers): the server MUST use it. */
  serverName?: string;
  /** Broker-suggested filters (clients): the client MUST subscribe to all of them. */
  serverNameFilters?: string[];
  rbac?: RbacAssignment[];
  /** Problems reading the properties; the connection still works with defaults. */
  problems: string[];
}

export function parseConnackProperties(props: UserProperties | undefined): ConnackMcpProperties {
  const out: ConnackMcpProperties = { problems: [] };
  const name = firstProperty(props, PROP.serverName);
  if (name) out.serverName = name;
  const filters = firstProperty(props, PROP.serverNameFilters);
  if (filters !== undefined) {
    const parsed = tryJson(filters);
    if (Array.isArray(parsed) && parsed.every((f) => typeof f === 'string' && f.length > 0) && parsed.length > 0) {
      // A filter that is not a valid MQTT filter would make subscribing (and so connecting) fail: report it, keep the rest.
      const usable = (parsed as string[]).filter((f) => {
        try {
          assertValidServerNameFilter(f);
          return true;
        } catch (e) {
          out.problems.push(`${PROP.serverNameFilters} entry ignored: ${(e as Error).message}`);
          return false;
        }
      });
      if (usable.length > 0) out.serverNameFilters = usable;
    } else {
      out.problems.push(`${PROP.serverNameFilters} is not a non-empty JSON array of strings: ${filters.slice(0, 200)}`);
    }
  }
  const rbac = firstProperty(props, PROP.rbac);
  if (rbac !== undefined) {
    const parsed = tryJson(rbac);
    if (Array.isArray(parsed)) {
      const usable = parsed.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && typeof r.server_name === 'string' && typeof r.role_name === 'string');
      if (usable.length < parsed.length) out.problems.push(`${PROP.rbac}: ${parsed.length - usable.length} entr${parsed.length - usable.length === 1 ? 'y' : 'ies'} without string server_name and role_name ignored`);
      out.rbac = usable.map((r) => ({ serverName: r.server_name as string, roleName: r.role_name as string }));
    } else {
      // Treated as no RBAC at all: the broker still enforces, and its errors will say why.
      out.problems.push(`${PROP.rbac} is not a JSON array (treated as no RBAC): ${rbac.slice(0, 200)}`);
    }
  }
  return out;
}

export function parseMetaProperty(props: UserProperties | undefined): Record<string, unknown> | undefined {
  const raw = firstProperty(props, PROP.meta);
  const parsed = raw === undefined ? undefined : tryJson(raw);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
