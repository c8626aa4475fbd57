// A tool call's result or failure, turned into what the invoker shows. structuredContent is checked against
// the tool's outputSchema here in the host (ajv cannot run under the webview's CSP).
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { loadCore } from '../../core-loader.js';
import type { CallOutcome, ContentItem, HistoryOutcome } from '../../../../webview/shared/protocol.js';

export function resultOutcome(result: CallToolResult, tool: Pick<Tool, 'outputSchema'>, durationMs: number): CallOutcome {
  const content = (Array.isArray(result.content) ? result.content : []) as ContentItem[];
  const outcome: Extract<CallOutcome, { kind: 'result' }> = { kind: 'result', durationMs, isError: result.isError === true, content };
  if (result.structuredContent !== undefined) outcome.structuredContent = result.structuredContent;
  if (tool.outputSchema && !outcome.isError) {
    if (result.structuredContent === undefined) {
      outcome.outputCheck = { ok: false, issues: [{ path: [], message: 'The tool declares an outputSchema but returned no structuredContent' }] };
    } else {
      const issues = loadCore().forms.createValidator(tool.outputSchema)(result.structuredContent);
      outcome.outputCheck = { ok: issues.length === 0, issues };
    }
  }
  return outcome;
}

/**
 * `aborted`: the user pressed Cancel, so whatever the SDK rejected with is a cancellation. JSON-RPC errors are
 * recognized by shape too (a numeric `code`, or the SDK's "MCP error <code>:" prefix): an error re-thrown by a
 * layer in between may no longer be an McpError instance.
 */
export function failureOutcome(error: unknown, aborted: boolean, durationMs: number): CallOutcome {
  if (aborted) return { kind: 'cancelled', durationMs };
  const message = error instanceof Error ? error.message : String(error);
  const prefixed = /^MCP error (-?\d+): /.exec(message);
  const ownCode = typeof error === 'object' && error !== null && Number.isInteger((error as { code?: unknown }).code) ? ((error as { code: number }).code) : undefined;
  const code = error instanceof loadCore().McpError ? (error as { code: number }).code : (ownCode ?? (prefixed ? Number(prefixed[1]) : undefined));
  if (code === undefined) return { kind: 'failure', durationMs, message };
  const outcome: CallOutcome = { kind: 'rpcError', durationMs, code, message: message.replace(/^(MCP error -?\d+: )+/, '') };
  const data = (error as { data?: unknown }).data;
  if (data !== undefined) outcome.data = data;
  return outcome;
}

export function historyOutcome(outcome: CallOutcome): HistoryOutcome {
  return outcome.kind === 'result' && outcome.isError ? 'isError' : outcome.kind;
}
