// What a watched resource value contributes to a plot: every numeric field of a JSON document, by path, and
// the rest as text for a table. Bounded, because a device's document is untrusted input.
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';

export interface SampleFields {
  /** Numeric fields by path (`temperature`, `axes.x`, `[0]`); a bare number document is `value`. */
  numbers: Map<string, number>;
  /** Non-numeric leaf values by path, as short text (strings, booleans, null). */
  texts: Map<string, string>;
}

const MAX_DEPTH = 8;
const MAX_FIELDS = 64;
const MAX_TEXT = 200;

/** The fields of the first text content of a resources/read result (JSON or a plain number). */
export function fieldsOfResult(result: ReadResourceResult): SampleFields {
  const first = result.contents?.find((c) => typeof (c as { text?: unknown }).text === 'string') as { text: string } | undefined;
  const fields: SampleFields = { numbers: new Map(), texts: new Map() };
  if (!first) {
    if (result.contents?.length) fields.texts.set('value', `(${result.contents.length} binary content${result.contents.length === 1 ? '' : 's'})`);
    return fields;
  }
  const raw = first.text.trim();
  let doc: unknown = raw;
  if (/^[[{"\-\d]|^(true|false|null)$/.test(raw)) {
    try {
      doc = JSON.parse(raw);
    } catch {
      doc = raw;
    }
  }
  collect(doc, '', 0, fields);
  return fields;
}

function collect(value: unknown, path: string, depth: number, out: SampleFields): void {
  if (out.numbers.size + out.texts.size >= MAX_FIELDS) return;
  const name = path || 'value';
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out.numbers.set(name, value);
    else out.texts.set(name, String(value));
    return;
  }
  if (value === null || typeof value !== 'object') {
    const text = typeof value === 'string' ? value : String(value);
    out.texts.set(name, text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
    return;
  }
  if (depth >= MAX_DEPTH) {
    out.texts.set(name, Array.isArray(value) ? '[…]' : '{…}');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, `${path}[${i}]`, depth + 1, out));
    return;
  }
  for (const [key, item] of Object.entries(value)) collect(item, path ? `${path}.${key}` : key, depth + 1, out);
}
