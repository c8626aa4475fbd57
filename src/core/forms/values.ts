// The arguments document is the single source of truth for both the form and the raw-JSON editor:
// the form reads and writes single paths, so keys it does not know (typed in raw mode) survive.
import { isRecord } from './schema.js';
import type { FieldModel, FieldPath, VariantField } from './types.js';

/** The value at `path`, or undefined when any step is missing. */
export function readValue(document: unknown, path: FieldPath): unknown {
  let node = document;
  for (const segment of path) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (isRecord(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/**
 * A copy of `document` with `value` at `path`; nothing else changes. `undefined` removes the key (an absent
 * optional field) or the array item. Missing containers are created: arrays for index segments, else objects.
 */
export function writeValue(document: unknown, path: FieldPath, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const child = rest.length === 0 ? value : writeValue(readValue(document, [head]), rest, value);
  if (Array.isArray(document) && /^\d+$/.test(head)) {
    const copy = [...document];
    if (child === undefined) copy.splice(Number(head), 1);
    else copy[Number(head)] = child;
    return copy;
  }
  if (!isRecord(document) && /^\d+$/.test(head) && child !== undefined) {
    const created: unknown[] = [];
    created[Number(head)] = child;
    return Array.from(created, (v) => (v === undefined ? null : v)); // JSON has no holes
  }
  const copy: Record<string, unknown> = isRecord(document) ? { ...document } : {};
  if (child === undefined) delete copy[head];
  else copy[head] = child;
  return copy;
}

/** The raw-JSON editor's text for a document. */
export function toRawJson(document: unknown): string {
  return JSON.stringify(document ?? {}, null, 2);
}

/** Parses the raw-JSON editor's text; tool arguments must be a JSON object. */
export function parseRawJson(text: string): { value: Record<string, unknown> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '{}' : text);
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}` };
  }
  return isRecord(parsed) ? { value: parsed } : { error: 'Tool arguments must be a JSON object' };
}

/** Which option of a variant a value belongs to (to show the right one after a raw-JSON edit); -1 if none fits. */
export function matchVariant(field: VariantField, value: unknown): number {
  if (field.discriminator !== undefined && isRecord(value)) {
    const tag = value[field.discriminator];
    const byTag = field.options.findIndex(({ field: option }) => option.kind === 'object' && option.properties.some(
      (p) => p.name === field.discriminator && p.kind === 'enum' && p.options.some((o) => o.value === tag)));
    if (byTag >= 0) return byTag;
  }
  return field.options.findIndex(({ field: option }) => fitsKind(option, value));
}

function fitsKind(field: FieldModel, value: unknown): boolean {
  if (value === null) return field.nullable;
  switch (field.kind) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number';
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'enum': return field.options.some((o) => o.value === value);
    case 'object': return isRecord(value) && field.properties.every((p) => !p.required || Object.hasOwn(value, p.name));
    case 'array': return Array.isArray(value);
    case 'variant': return matchVariant(field, value) >= 0;
    case 'json': return true;
  }
}
