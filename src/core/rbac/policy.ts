// The embedded broker's MCP policy file (JSON or YAML), doing what the EMQX MCP gateway does for a broker:
// per client (matched by client id, username, component type) it hands out MCP-SERVER-NAME (servers),
// MCP-SERVER-NAME-FILTERS and MCP-RBAC (clients) in CONNACK, and it defines roles for servers that declare
// none of their own. Validated strictly: a policy with a typo must fail loudly, not let everything through.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { RbacRole } from '../protocol/presence.js';
import type { RbacAssignment } from '../protocol/properties.js';
import { checkTopicFilter } from '../broker/topics.js';
import { globMatches } from './access.js';

export interface ClientMatch {
  /** Glob: `*` matches any run of characters. */
  clientId?: string;
  username?: string;
  componentType?: 'mcp-client' | 'mcp-server';
}

export interface PolicyRule {
  match: ClientMatch;
  /** MCP-SERVER-NAME for servers; `{clientId}` is replaced by the client id. */
  serverName?: string;
  serverNameFilters?: string[];
  rbac?: RbacAssignment[];
}

export interface PolicyRole extends RbacRole {
  /** Server-name filter the definition applies to (default `#`: every server). */
  servers: string;
}

export interface RbacPolicy {
  /** Tried in order: the first rule whose match fits a client applies to it. */
  rules: PolicyRule[];
  /** For servers that declare no roles in their presence; a server's own declaration wins (spec §6). */
  roles: PolicyRole[];
}

export class PolicyError extends Error {}

export async function loadPolicyFile(path: string): Promise<RbacPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PolicyError(`cannot read RBAC policy ${path}: ${(e as Error).message}`);
  }
  return parsePolicy(text, path);
}

export function parsePolicy(text: string, source = 'policy'): RbacPolicy {
  let raw: unknown;
  try {
    raw = /\.json$/i.test(source) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new PolicyError(`${source}: not valid ${/\.json$/i.test(source) ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const policy = validatePolicy(raw, problems);
  if (problems.length > 0) throw new PolicyError(`${source}: invalid RBAC policy:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
  return policy;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function onlyKeys(value: Obj, allowed: string[], path: string, problems: string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${path}.${key}: unknown key (expected one of ${allowed.join(', ')})`);
}

function validatePolicy(raw: unknown, problems: string[]): RbacPolicy {
  if (!isObj(raw)) {
    problems.push('the policy must be an object with "rules" and/or "roles"');
    return { rules: [], roles: [] };
  }
  onlyKeys(raw, ['rules', 'roles'], '(top)', problems);
  const list = (key: string): unknown[] => {
    const v = raw[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) problems.push(`${key}: must be a list`);
    return Array.isArray(v) ? v : [];
  };
  const rules = list('rules').flatMap((r, i) => validateRule(r, `rules[${i}]`, problems));
  const roles = list('roles').flatMap((r, i) => validateRole(r, `roles[${i}]`, problems));
  return { rules, roles };
}

function validateRule(raw: unknown, path: string, problems: string[]): PolicyRule[] {
  if (!isObj(raw)) return void problems.push(`${path}: must be an object`), [];
  onlyKeys(raw, ['match', 'serverName', 'serverNameFilters', 'rbac'], path, problems);
  const match: ClientMatch = {};
  if (!isObj(raw.match)) problems.push(`${path}.match: must be an object (use {} to match every client)`);
  else {
    onlyKeys(raw.match, ['clientId', 'username', 'componentType'], `${path}.match`, problems);
    for (const key of ['clientId', 'username'] as const) {
      const v = raw.match[key];
      if (v === undefined) continue;
      if (isText(v)) match[key] = v;
      else problems.push(`${path}.match.${key}: must be a non-empty string (a glob: * matches anything)`);
    }
    const type = raw.match.componentType;
    if (type === 'mcp-client' || type === 'mcp-server') match.componentType = type;
    else if (type !== undefined) problems.push(`${path}.match.componentType: must be "mcp-client" or "mcp-server"`);
  }
  const rule: PolicyRule = { match };
  if (raw.serverName !== undefined) {
    if (isText(raw.serverName) && !/[+#]/.test(raw.serverName)) rule.serverName = raw.serverName;
    else problems.push(`${path}.serverName: must be a non-empty server-name without + or #`);
  }
  if (raw.serverNameFilters !== undefined) {
    const filters = raw.serverNameFilters;
    if (!Array.isArray(filters) || filters.length === 0) problems.push(`${path}.serverNameFilters: must be a non-empty list of topic filters`);
    else {
      filters.forEach((f, i) => {
        if (!isText(f) || checkTopicFilter(f) !== 'ok') problems.push(`${path}.serverNameFilters[${i}]: ${JSON.stringify(f)} is not a valid topic filter`);
      });
      rule.serverNameFilters = filters.filter(isText);
    }
  }
  if (raw.rbac !== undefined) {
    if (!Array.isArray(raw.rbac)) problems.push(`${path}.rbac: must be a list of {server_name, role_name}`);
    else {
      rule.rbac = raw.rbac.flatMap((a, i) => {
        const at = `${path}.rbac[${i}]`;
        if (!isObj(a)) return void problems.push(`${at}: must be an object {server_name, role_name}`), [];
        onlyKeys(a, ['server_name', 'role_name'], at, problems);
        if (!isText(a.server_name) || checkTopicFilter(a.server_name) !== 'ok') problems.push(`${at}.server_name: must be a server-name or server-name filter`);
        if (!isText(a.role_name)) problems.push(`${at}.role_name: must be a non-empty string`);
        return isText(a.server_name) && isText(a.role_name) ? [{ serverName: a.server_name, roleName: a.role_name }] : [];
      });
    }
  }
  return [rule];
}

function validateRole(raw: unknown, path: string, problems: string[]): PolicyRole[] {
  if (!isObj(raw)) return void problems.push(`${path}: must be an object`), [];
  onlyKeys(raw, ['name', 'description', 'servers', 'allowed_methods', 'allowed_tools', 'allowed_resources'], path, problems);
  if (!isText(raw.name)) problems.push(`${path}.name: must be a non-empty string`);
  if (raw.description !== undefined && typeof raw.description !== 'string') problems.push(`${path}.description: must be a string`);
  const servers = raw.servers ?? '#';
  if (!isText(servers) || checkTopicFilter(servers) !== 'ok') problems.push(`${path}.servers: must be a server-name filter`);
  const strings = (v: unknown, key: string): string[] | undefined => {
    if (Array.isArray(v) && v.every(isText)) return v;
    problems.push(`${path}.${key}: must be a list of non-empty strings${key === 'allowed_methods' ? '' : ' or "all"'}`);
    return undefined;
  };
  // Unlike presence (read tolerantly), a policy must say what it allows: a missing list is an error.
  const methods = strings(raw.allowed_methods, 'allowed_methods');
  const tools = raw.allowed_tools === 'all' ? 'all' : strings(raw.allowed_tools, 'allowed_tools');
  const resources = raw.allowed_resources === 'all' ? 'all' : strings(raw.allowed_resources, 'allowed_resources');
  if (methods && !methods.includes('notifications/initialized')) {
    problems.push(`${path}.allowed_methods: lacks "notifications/initialized", so every handshake would be refused (spec §6)`);
  }
  if (!isText(raw.name) || !methods || !tools || !resources || !isText(servers)) return [];
  const role: PolicyRole = { name: raw.name, servers, allowedMethods: methods, allowedTools: tools, allowedResources: resources };
  if (typeof raw.description === 'string') role.description = raw.description;
  return [role];
}

/** `*` matches any run of characters; linear time, so a hostile client id cannot make the broker backtrack. */
export function globMatch(pattern: string, value: string): boolean {
  return pattern.includes('*') ? globMatches(pattern, value) : pattern === value;
}
