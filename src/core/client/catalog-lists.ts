// Fetches a server's four lists independently, so one that fails (not implemented although advertised,
// malformed, never answered) costs only itself: the others are still returned, and each failure becomes one
// named problem. The optional lists (resources, templates, prompts) get a short timeout of their own: some
// firmware never answers `resources/templates/list`, and the tools should not wait 30 s for it.
import { ErrorCode, McpError, type Prompt, type Resource, type ResourceTemplate, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../util/logger.js';
import { LIST_NAMES, LISTS, parseListPage, type ListItemTypes, type ListName } from './list-results.js';
import type { ServerSession } from './session.js';

export type CatalogProblemKind = 'unimplemented' | 'malformed' | 'timeout' | 'error';

export interface CatalogProblem {
  list: ListName;
  method: string;
  kind: CatalogProblemKind;
  /** One line, naming the method (and the field, for a malformed result). */
  message: string;
}

export interface CatalogLists {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
  problems: CatalogProblem[];
}

/** Per-page timeout for resources, templates and prompts unless configured. */
export const DEFAULT_LIST_TIMEOUT_MS = 3000;

export interface FetchListsOptions {
  /** Timeout for each page of the optional lists; tools keep the session's list timeout. */
  listTimeoutMs?: number;
}

export async function fetchLists(session: ServerSession, options: FetchListsOptions = {}): Promise<CatalogLists> {
  const optionalTimeout = options.listTimeoutMs ?? DEFAULT_LIST_TIMEOUT_MS;
  const problems: CatalogProblem[] = [];
  const fetched = await Promise.all(
    LIST_NAMES.map((list) => fetchList(session, list, list === 'tools' ? undefined : optionalTimeout, problems)),
  );
  const [tools, resources, resourceTemplates, prompts] = fetched as [Tool[], Resource[], ResourceTemplate[], Prompt[]];
  // Problems arrive in completion order; the fixed list order reads better and is stable for tests.
  problems.sort((a, b) => LIST_NAMES.indexOf(a.list) - LIST_NAMES.indexOf(b.list));
  return { tools, resources, resourceTemplates, prompts, problems };
}

/** One list, paginated to the end; never throws: what went wrong is pushed to `problems`. */
async function fetchList<L extends ListName>(session: ServerSession, list: L, timeoutMs: number | undefined, problems: CatalogProblem[]): Promise<ListItemTypes[L][]> {
  const { method, capability } = LISTS[list];
  if (!session.capabilities?.[capability]) return [];
  const problem = (kind: CatalogProblemKind, message: string): void => void problems.push({ list, method, kind, message });
  const items: ListItemTypes[L][] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    let result: unknown;
    try {
      result = await session.listPage(method, cursor, timeoutMs);
    } catch (e) {
      const [kind, message] = describeFailure(e, method, capability, timeoutMs, items.length);
      problem(kind, message);
      return items;
    }
    const page = parseListPage(list, result);
    items.push(...page.items);
    if (page.problem) problem('malformed', page.problem);
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      // A device that repeats a cursor would otherwise be asked forever.
      if (seen.has(cursor)) {
        problem('malformed', `${method}: the server repeated pagination cursor "${cursor.slice(0, 40)}"; later pages skipped`);
        return items;
      }
      seen.add(cursor);
    }
  } while (cursor !== undefined);
  return items;
}

function describeFailure(e: unknown, method: string, capability: string, timeoutMs: number | undefined, kept: number): [CatalogProblemKind, string] {
  const partly = kept ? ` (kept the ${kept} items of earlier pages)` : '';
  if (e instanceof McpError && e.code === ErrorCode.MethodNotFound) {
    return ['unimplemented', `${method}: not implemented (-32601) although the server advertises "${capability}"; shown as empty${partly}`];
  }
  if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) {
    const after = timeoutMs !== undefined ? ` within ${formatMs(timeoutMs)}` : '';
    return ['timeout', `${method}: no answer${after}; shown as empty${partly}`];
  }
  if (e instanceof McpError) return ['error', `${method}: error ${e.code}: ${e.message.replace(/^(MCP error -?\d+: )+/, '')}${partly}`];
  return ['error', `${method}: ${errorMessage(e)}${partly}`];
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
