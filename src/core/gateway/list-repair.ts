// What the pass-through sends an agent instead of a device's answer to a list request the device got wrong.
// The agent's SDK rejects a whole list result for one bad field, and treats -32601 on an advertised list as a
// failure: either would cost the agent the device's tools or the session. So an advertised-but-unimplemented
// list becomes an empty one, and a malformed result keeps its valid items; each repair is logged in one line.
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { LISTS, listOfMethod, parseListPage, type ListName } from '../client/list-results.js';

export interface ListRepair {
  message: JSONRPCMessage;
  /** One line for the log, naming the method. */
  note: string;
}

type Capabilities = Record<string, unknown> | undefined;

/** The repaired answer to a list request, or undefined when the device's answer can go through unchanged. */
export function repairListResponse(method: string, response: JSONRPCMessage, capabilities: Capabilities): ListRepair | undefined {
  const list = listOfMethod(method);
  if (!list || !('id' in response)) return undefined;
  const id = response.id as RequestId;
  const { field, capability } = LISTS[list];
  if ('error' in response) {
    if (response.error.code !== -32601 || !capabilities?.[capability]) return undefined;
    return { message: emptyListResponse(id, list), note: `${method}: not implemented (-32601) although the device advertises "${capability}"; answered an empty list` };
  }
  if (!('result' in response)) return undefined;
  const page = parseListPage(list, response.result);
  if (!page.problem) return undefined;
  const result: Record<string, unknown> = { ...(isObject(response.result) ? response.result : {}), [field]: page.rawItems };
  if (page.nextCursor === undefined) delete result.nextCursor;
  return { message: { jsonrpc: '2.0', id, result } as JSONRPCMessage, note: `${page.problem}; passed on ${page.rawItems.length} valid ${field}` };
}

export function emptyListResponse(id: RequestId, list: ListName): JSONRPCMessage {
  return { jsonrpc: '2.0', id, result: { [LISTS[list].field]: [] } } as JSONRPCMessage;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
