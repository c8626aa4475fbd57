// What the agent is offered through a per-device server when the broker hands out RBAC: tools/list and
// resources/list without what the user's role does not allow, and a disallowed call refused here, with the
// reason, before anything is sent (the broker would refuse it too, a round trip later).
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { accessRequestOf, NOT_ALLOWED_CODE } from '../rbac/access.js';
import { notAllowedMessage, type ServerAccess } from '../rbac/client-access.js';


/** The refusal for an agent request the role does not allow; undefined when it may go. */
export function refusalFor(message: JSONRPCMessage, access: ServerAccess): JSONRPCMessage | undefined {
  if (!access.restricted || !('id' in message) || !('method' in message)) return undefined;
  const request = accessRequestOf(message);
  if (!request) return undefined;
  const verdict = access.check(request);
  if (verdict.allowed) return undefined;
  return { jsonrpc: '2.0', id: message.id, error: { code: NOT_ALLOWED_CODE, message: notAllowedMessage(verdict) } };
}

/** A tools/list or resources/list answer without the entries the role does not allow. */
export function withoutDisallowed(method: string, message: JSONRPCMessage, access: ServerAccess): JSONRPCMessage {
  if (!access.restricted || !('result' in message)) return message;
  const result = message.result as { tools?: unknown; resources?: unknown };
  if (method === 'tools/list' && Array.isArray(result.tools)) {
    const tools = result.tools.filter((t: { name?: unknown }) => typeof t?.name !== 'string' || access.tool(t.name).allowed);
    return { ...message, result: { ...result, tools } };
  }
  if (method === 'resources/list' && Array.isArray(result.resources)) {
    const resources = result.resources.filter((r: { uri?: unknown }) => typeof r?.uri !== 'string' || access.resource(r.uri).allowed);
    return { ...message, result: { ...result, resources } };
  }
  return message;
}
