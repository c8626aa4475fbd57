// One call from the fleet server to one device: the tool looked up in the device's catalog, the arguments
// checked against its input schema before anything is sent, the call made with the agent's progress and
// cancellation, and the outcome sorted into "the device said so" and "the device could not be reached".
import { ErrorCode, McpError, type CallToolResult, type ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { McpMqttClient } from '../client/mcp-client.js';
import type { CatalogCache } from '../client/catalog.js';
import { createValidator } from '../forms/validate.js';
import { withCallSource } from '../util/call-source.js';
import { errorMessage } from '../util/logger.js';
import { notAllowedMessage, serverAccess } from '../rbac/client-access.js';
import { NOT_ALLOWED_CODE } from '../rbac/access.js';

export type CallOutcome = 'ok' | 'device_error' | 'transport_error' | 'invalid_arguments' | 'unknown_tool' | 'not_allowed' | 'cancelled';

export interface DeviceCallResult {
  server_name: string;
  server_id?: string;
  outcome: CallOutcome;
  /** What went wrong, in one sentence; absent when ok. */
  error?: string;
  /** Argument problems found before sending (outcome invalid_arguments). */
  issues?: { path: string; message: string }[];
  content?: ContentBlock[];
  structured_content?: unknown;
}

export interface CallContext {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export async function callDeviceTool(
  client: McpMqttClient,
  catalog: CatalogCache,
  serverName: string,
  tool: string,
  args: Record<string, unknown>,
  context: CallContext = {},
): Promise<DeviceCallResult> {
  const base = { server_name: serverName };
  const known = client.registry.get(serverName);
  if (!known?.online) return { ...base, outcome: 'transport_error', error: known ? `${serverName} is offline` : `no device named "${serverName}" on ${client.brokerLabel}` };
  // Before anything is sent: the broker would refuse it anyway, a round trip later.
  const access = serverAccess(client, serverName).tool(tool);
  if (!access.allowed) return { ...base, outcome: 'not_allowed', error: notAllowedMessage(access) };
  let tools;
  try {
    tools = (await catalog.get(serverName)).tools;
  } catch (e) {
    return { ...base, outcome: 'transport_error', error: `could not list the tools of ${serverName}: ${errorMessage(e)}` };
  }
  const definition = tools.find((t) => t.name === tool);
  if (!definition) {
    const names = tools.map((t) => t.name);
    return { ...base, outcome: 'unknown_tool', error: `${serverName} has no tool "${tool}"; it has: ${names.slice(0, 30).join(', ') || 'none'}${names.length > 30 ? ', ...' : ''}` };
  }
  const issues = createValidator(definition.inputSchema)(args);
  if (issues.length > 0) {
    const list = issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(arguments)', message: i.message }));
    return { ...base, outcome: 'invalid_arguments', issues: list, error: `arguments do not match the input schema of ${tool}; nothing was sent: ${list.map((i) => `${i.path}: ${i.message}`).join('; ')}` };
  }
  let session;
  try {
    session = await client.session(serverName);
  } catch (e) {
    return { ...base, outcome: 'transport_error', error: errorMessage(e) };
  }
  const withId = { ...base, server_id: session.serverId };
  try {
    const result = (await withCallSource('agent', () => session.callTool(tool, args, { signal: context.signal, onprogress: context.onprogress }))) as CallToolResult;
    const out: DeviceCallResult = { ...withId, outcome: result.isError ? 'device_error' : 'ok', content: result.content };
    if (result.structuredContent !== undefined) out.structured_content = result.structuredContent;
    if (result.isError) out.error = `${serverName} reported an error from ${tool}`;
    return out;
  } catch (e) {
    return { ...withId, ...classifyFailure(e, serverName, context.signal) };
  }
}

/** A JSON-RPC error the device sent is the device's answer; a local timeout or a lost link is transport. */
export function classifyFailure(e: unknown, serverName: string, signal?: AbortSignal): { outcome: CallOutcome; error: string } {
  if (signal?.aborted) return { outcome: 'cancelled', error: 'cancelled by the caller' };
  // The broker's RBAC refusal (EMQX-style JSON-RPC error on the RPC topic), when the client could not foresee it.
  if (e instanceof McpError && e.code === NOT_ALLOWED_CODE && /not allowed/i.test(e.message)) return { outcome: 'not_allowed', error: `the broker refused it: ${e.message.replace(/^MCP error -?\d+: /, '')}` };
  if (e instanceof McpError && e.code !== ErrorCode.RequestTimeout && e.code !== ErrorCode.ConnectionClosed) {
    return { outcome: 'device_error', error: `${serverName} answered with error ${e.code}: ${e.message}` };
  }
  return { outcome: 'transport_error', error: `${serverName} could not be reached: ${errorMessage(e)}` };
}

/**
 * The MCP tool result the agent gets for one device call: the device's own content blocks as they came, and
 * the whole outcome, those blocks included, as structured content. VS Code hands the model only the
 * structured content when there is one, so an outcome without the blocks would hide the device's answer.
 */
export function toToolResult(r: DeviceCallResult): CallToolResult {
  const head: ContentBlock[] = r.outcome === 'ok' ? [] : [{ type: 'text', text: `${r.outcome}: ${r.error ?? ''}` }];
  return { content: [...head, ...(r.content ?? [])], structuredContent: { ...r }, isError: r.outcome !== 'ok' };
}
