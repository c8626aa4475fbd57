// Input box text → typed value, for the palette's field-by-field prompts. Constraint messages come from
// the same validator as whole-document validation, so both say the same thing.
import { isRecord } from './schema.js';
import type { FieldModel } from './types.js';
import { createValidator } from './validate.js';

/** `value` when the text is usable, `error` when not; neither means "leave the field out". */
export interface CoerceResult {
  value?: unknown;
  error?: string;
}

const NUMBER_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0']);

/**
 * Reads what the user typed for `field`. Empty text leaves an optional field out; on a required nullable
 * field it means null; "null" is accepted wherever null is (except strings, where it is just text).
 */
export function coerceInput(field: FieldModel, text: string): CoerceResult {
  const trimmed = text.trim();
  const blank = field.kind === 'string' ? text === '' : trimmed === '';
  if (blank) {
    if (!field.required) return {};
    if (field.nullable) return { value: null };
    if (field.kind !== 'string') return { error: 'Required' };
  }
  if (field.nullable && field.kind !== 'string' && trimmed === 'null') return { value: null };
  switch (field.kind) {
    case 'string': return checked(field, text);
    case 'number': case 'integer':
      return NUMBER_SYNTAX.test(trimmed) ? checked(field, Number(trimmed)) : { error: field.kind === 'integer' ? 'Enter a whole number, like 3' : 'Enter a number, like 21.5' };
    case 'boolean': {
      const word = trimmed.toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: 'Enter true or false' };
    }
    case 'enum': return chooseOption(field, trimmed);
    case 'object': case 'array': case 'variant': case 'json': return parseJson(field, trimmed);
  }
}

function checked(field: Extract<FieldModel, { kind: 'string' | 'number' | 'integer' }>, value: string | number): CoerceResult {
  const issues = createValidator({ type: field.kind, ...field.constraints })(value);
  return issues[0] ? { error: issues[0].message } : { value };
}

/** Matches an option by label or value, exactly first, then ignoring case. */
function chooseOption(field: Extract<FieldModel, { kind: 'enum' }>, text: string): CoerceResult {
  const candidates = field.options.map((o) => ({ value: o.value, names: [o.label, typeof o.value === 'string' ? o.value : JSON.stringify(o.value)] }));
  const exact = candidates.find((c) => c.names.includes(text));
  const loose = exact ?? candidates.find((c) => c.names.some((n) => n.toLowerCase() === text.toLowerCase()));
  if (loose) return { value: loose.value };
  const shown = field.options.slice(0, 10).map((o) => o.label).join(', ');
  return { error: `Choose one of: ${shown}${field.options.length > 10 ? ', …' : ''}` };
}

function parseJson(field: FieldModel, text: string): CoerceResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (field.kind === 'object' && !isRecord(value)) return { error: 'Enter a JSON object, like {"key": "value"}' };
  if (field.kind === 'array' && !Array.isArray(value)) return { error: 'Enter a JSON list, like [1, 2]' };
  return { value };
}
