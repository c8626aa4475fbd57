// The fleet server offers the agent only what the user's RBAC role allows (broker CONNACK MCP-RBAC and the
// device's declared roles): describe_device and find_devices leave the rest out and say what was left out
// and why, so the agent neither tries it nor wonders where it went.
import type { Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import { serverAccess, type AccessSource } from '../rbac/client-access.js';

export interface NotAllowed {
  kind: 'tool' | 'resource';
  name: string;
  reason: string;
}

export function allowedView(source: AccessSource, serverName: string, tools: readonly Tool[], resources: readonly Resource[]): { tools: Tool[]; resources: Resource[]; notAllowed: NotAllowed[] } {
  const access = serverAccess(source, serverName);
  if (!access.restricted) return { tools: [...tools], resources: [...resources], notAllowed: [] };
  const notAllowed: NotAllowed[] = [];
  const keptTools = tools.filter((t) => {
    const verdict = access.tool(t.name);
    if (!verdict.allowed) notAllowed.push({ kind: 'tool', name: t.name, reason: verdict.reason });
    return verdict.allowed;
  });
  const keptResources = resources.filter((r) => {
    const verdict = access.resource(r.uri);
    if (!verdict.allowed) notAllowed.push({ kind: 'resource', name: r.uri, reason: verdict.reason });
    return verdict.allowed;
  });
  return { tools: keptTools, resources: keptResources, notAllowed };
}

/** Tool names the agent may call, for find_devices. */
export function allowedToolNames(source: AccessSource, serverName: string, names: readonly string[]): string[] {
  const access = serverAccess(source, serverName);
  return access.restricted ? names.filter((n) => access.tool(n).allowed) : [...names];
}
