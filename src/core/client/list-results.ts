// Lenient reading of the four MCP list results (tools, resources, resource templates, prompts). Real firmware
// sends results the SDK's strict schemas reject as a whole (`contents` instead of `resources`, one tool without
// an inputSchema): here the valid items are kept and what was wrong is said in one line naming method and field.
// Used by the catalog, the `list` command and the gateway's pass-through, so all three degrade the same way.
import { PromptSchema, ResourceSchema, ResourceTemplateSchema, ToolSchema, type Prompt, type Resource, type ResourceTemplate, type Tool } from '@modelcontextprotocol/sdk/types.js';

export type ListName = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

export interface ListItemTypes {
  tools: Tool;
  resources: Resource;
  resourceTemplates: ResourceTemplate;
  prompts: Prompt;
}

interface ListSpec {
  method: string;
  /** The array the result carries (also the catalog's key). */
  field: ListName;
  /** The server capability that advertises it. */
  capability: 'tools' | 'resources' | 'prompts';
  schema: { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } };
}

export const LISTS: Record<ListName, ListSpec> = {
  tools: { method: 'tools/list', field: 'tools', capability: 'tools', schema: ToolSchema },
  resources: { method: 'resources/list', field: 'resources', capability: 'resources', schema: ResourceSchema },
  resourceTemplates: { method: 'resources/templates/list', field: 'resourceTemplates', capability: 'resources', schema: ResourceTemplateSchema },
  prompts: { method: 'prompts/list', field: 'prompts', capability: 'prompts', schema: PromptSchema },
};

export const LIST_NAMES = Object.keys(LISTS) as ListName[];

/** The list a JSON-RPC method fetches, if it is one of the four. */
export function listOfMethod(method: string): ListName | undefined {
  return LIST_NAMES.find((l) => LISTS[l].method === method);
}

export interface ParsedListPage<T> {
  items: T[];
  /** The valid items as the device sent them (the gateway passes these on, unknown fields included). */
  rawItems: unknown[];
  nextCursor?: string;
  /** One line for the user when something was wrong (items dropped, array missing, bad cursor). */
  problem?: string;
  /** The result had no usable array at all (the list is broken, not just partly). */
  broken: boolean;
}

const MAX_NAMED_ITEMS = 2;

/** Reads one page of a list result; never throws. */
export function parseListPage<L extends ListName>(list: L, result: unknown): ParsedListPage<ListItemTypes[L]> {
  const { method, field, schema } = LISTS[list];
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return { items: [], rawItems: [], broken: true, problem: `${method}: result is ${describe(result)}, not an object with a "${field}" array` };
  }
  const record = result as Record<string, unknown>;
  const raw = record[field];
  if (!Array.isArray(raw)) {
    const got = raw === undefined ? `got keys: ${Object.keys(record).slice(0, 8).join(', ') || 'none'}` : `"${field}" is ${describe(raw)}`;
    return { items: [], rawItems: [], broken: true, problem: `${method}: result has no "${field}" array (${got})` };
  }
  const items: ListItemTypes[L][] = [];
  const rawItems: unknown[] = [];
  const dropped: string[] = [];
  raw.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      items.push(parsed.data as ListItemTypes[L]);
      rawItems.push(item);
    } else dropped.push(`#${index + 1}${itemLabel(item)}: ${issueText(parsed.error.issues)}`);
  });
  const notes: string[] = [];
  if (dropped.length) {
    const named = dropped.slice(0, MAX_NAMED_ITEMS).join('; ');
    const more = dropped.length > MAX_NAMED_ITEMS ? `; and ${dropped.length - MAX_NAMED_ITEMS} more` : '';
    notes.push(`dropped ${dropped.length} of ${raw.length} ${field}: ${named}${more}`);
  }
  let nextCursor: string | undefined;
  const cursor = record.nextCursor;
  if (typeof cursor === 'string' && cursor !== '') nextCursor = cursor;
  else if (cursor !== undefined && cursor !== null && cursor !== '') notes.push(`"nextCursor" is ${describe(cursor)}, not a string: later pages skipped`);
  const page: ParsedListPage<ListItemTypes[L]> = { items, rawItems, broken: false };
  if (nextCursor !== undefined) page.nextCursor = nextCursor;
  if (notes.length) page.problem = `${method}: ${notes.join('; ')}`;
  return page;
}

function itemLabel(item: unknown): string {
  if (typeof item !== 'object' || item === null) return ` (${describe(item)})`;
  const o = item as Record<string, unknown>;
  const label = typeof o.name === 'string' ? o.name : typeof o.uri === 'string' ? o.uri : typeof o.uriTemplate === 'string' ? o.uriTemplate : undefined;
  return label === undefined ? '' : ` "${label.length > 60 ? `${label.slice(0, 60)}…` : label}"`;
}

function issueText(issues: { path: PropertyKey[]; message: string }[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = first.path.map(String).join('.');
  return `${path ? `${path}: ` : ''}${first.message}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
