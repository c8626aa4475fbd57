// ajv errors → issues a person can act on, at the path of the field they belong to.
import type { ErrorObject } from 'ajv';
import { displayValue } from './schema.js';
import type { FieldPath, ValidationIssue } from './types.js';

// Longer enum lists say "one of the allowed values" instead of listing them all.
const MAX_LISTED_VALUES = 10;

const FORMAT_PHRASES: Record<string, string> = {
  'date-time': 'a date and time like 2025-01-31T09:30:00Z',
  date: 'a date like 2025-01-31',
  time: 'a time like 09:30:00Z',
  email: 'an e-mail address',
  uri: 'an absolute URI like https://example.com/path',
  'uri-reference': 'a URI or relative reference',
  url: 'a URL like https://example.com/path',
  uuid: 'a UUID like 123e4567-e89b-12d3-a456-426614174000',
  ipv4: 'an IPv4 address like 192.168.1.10',
  ipv6: 'an IPv6 address',
  hostname: 'a host name',
  duration: 'an ISO 8601 duration like PT30S',
  regex: 'a regular expression',
};

const TYPE_PHRASES: Record<string, string> = {
  string: 'text', number: 'a number', integer: 'an integer', boolean: 'true or false',
  object: 'an object', array: 'a list', null: 'null',
};

export function issuesFromAjv(errors: readonly ErrorObject[]): ValidationIssue[] {
  const kept = collapseUnions(errors.filter((e) => e.keyword !== 'if')); // the "then"/"else" errors say why
  const formatAt = new Set(kept.filter((e) => e.keyword === 'format').map((e) => e.instancePath));
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    // Generators emit a regex next to the format (zod does for email, uuid, date-time): one message is enough.
    if (error.keyword === 'pattern' && formatAt.has(error.instancePath)) continue;
    const issue = describe(error);
    const key = JSON.stringify(issue);
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** "/steps/0/action" → ["steps", "0", "action"]. */
export function pointerToPath(pointer: string): FieldPath {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(e: ErrorObject): ValidationIssue {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return { path: [...path, String(p.missingProperty)], message: 'Required' };
    case 'dependentRequired': case 'dependencies':
      return { path: [...path, String(p.missingProperty)], message: `Required when "${String(p.property)}" is set` };
    case 'additionalProperties': return { path, message: `Unknown property "${String(p.additionalProperty)}"` };
    case 'unevaluatedProperties': return { path, message: `Unknown property "${String(p.unevaluatedProperty)}"` };
    case 'type': return { path, message: `Must be ${orList(String(p.type).split(',').map(typePhrase))}` };
    case 'minimum': case 'exclusiveMinimum': case 'maximum': case 'exclusiveMaximum':
      return { path, message: comparison(String(p.comparison), p.limit) };
    case 'multipleOf': return { path, message: `Must be a multiple of ${String(p.multipleOf)}` };
    case 'minLength': return { path, message: p.limit === 1 ? 'Must not be empty' : `Must be at least ${String(p.limit)} characters` };
    case 'maxLength': return { path, message: `Must be at most ${String(p.limit)} characters` };
    case 'pattern': return { path, message: `Must match the pattern ${String(p.pattern)}` };
    case 'format': return { path, message: `Must be ${FORMAT_PHRASES[String(p.format)] ?? `a valid ${String(p.format)}`}` };
    case 'enum': return { path, message: oneOfValues(p.allowedValues) };
    case 'const': return { path, message: `Must be ${quoted(p.allowedValue)}` };
    case 'minItems': return { path, message: `Needs at least ${count(p.limit, 'item')}` };
    case 'maxItems': return { path, message: `Allows at most ${count(p.limit, 'item')}` };
    case 'uniqueItems': return { path, message: `Items ${Math.min(Number(p.i), Number(p.j)) + 1} and ${Math.max(Number(p.i), Number(p.j)) + 1} are the same` };
    case 'minProperties': return { path, message: `Needs at least ${count(p.limit, 'entry', 'entries')}` };
    case 'maxProperties': return { path, message: `Allows at most ${count(p.limit, 'entry', 'entries')}` };
    case 'false schema': return { path, message: 'No value is allowed here' };
    case 'oneOf': return { path, message: p.passingSchemas ? 'Matches more than one of the allowed shapes' : "Doesn't match any of the allowed shapes" };
    case 'anyOf': return { path, message: "Doesn't match any of the allowed shapes" };
    case 'propertyNames': return { path, message: `Key "${String(p.propertyName)}" is not allowed` };
    case 'union type': return { path, message: String(p.message) };
    default: {
      const text = e.message ?? 'Invalid value';
      return { path, message: text.charAt(0).toUpperCase() + text.slice(1) };
    }
  }
}

function comparison(operator: string, limit: unknown): string {
  const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' };
  return `Must be ${words[operator] ?? operator} ${String(limit)}`;
}

function typePhrase(type: string): string {
  return TYPE_PHRASES[type] ?? type;
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : displayValue(value);
}

function oneOfValues(values: unknown): string {
  if (!Array.isArray(values) || values.length > MAX_LISTED_VALUES) return 'Must be one of the allowed values';
  return `Must be one of: ${values.map(displayValue).join(', ')}`;
}

function count(n: unknown, singular: string, plural = `${singular}s`): string {
  return `${String(n)} ${n === 1 ? singular : plural}`;
}

/**
 * ajv reports the errors of every branch of a failed anyOf/oneOf. Keep only what helps: when every branch
 * has the wrong type or tag, one "Must be X or Y"; otherwise the errors of the branch that came closest
 * (the one whose tag and type matched). Innermost unions are settled first.
 * Errors reached through a $ref inside a branch cannot be attributed to it and are left as they are.
 */
function collapseUnions(errors: ErrorObject[]): ErrorObject[] {
  let remaining = errors;
  const unions = errors
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && !(e.params as Record<string, unknown>).passingSchemas)
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const union of unions) {
    if (!remaining.includes(union)) continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of remaining) {
      if (e === union || !e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    if (branches.size === 0) continue;
    const inBranches = new Set([...branches.values()].flat());
    const others = remaining.filter((e) => e !== union && !inBranches.has(e));
    const lists = [...branches.values()];
    const decisive = lists.map((list) => list.filter((e) => rulesOut(e, union.instancePath)));
    const decisivePaths = new Set(decisive.flat().map((e) => e.instancePath));
    if (decisive.every((list) => list.length > 0)) {
      // Every branch has the wrong type or tag ("x" for a number-or-null, an unknown "mode"): list what fits.
      const [path] = decisivePaths;
      remaining = [...others, decisivePaths.size === 1 && path !== undefined ? summaryError(union, decisive.flat(), path) : union];
    } else {
      const best = lists.reduce((a, b) => (branchDistance(b, union.instancePath) < branchDistance(a, union.instancePath) ? b : a));
      remaining = [...others, ...best];
    }
  }
  return remaining;
}

/** A wrong type at the union's own value, or a wrong constant on it or one of its properties (a tag). */
function rulesOut(e: ErrorObject, at: string): boolean {
  if (e.keyword === 'type') return e.instancePath === at;
  if (e.keyword !== 'const' && e.keyword !== 'enum') return false;
  return e.instancePath === at || (e.instancePath.startsWith(`${at}/`) && !e.instancePath.slice(at.length + 1).includes('/'));
}

/** How far a branch is from matching: a wrong type or tag rules it out, then fewer errors is closer. */
function branchDistance(list: ErrorObject[], at: string): number {
  return (list.some((e) => rulesOut(e, at)) ? 1000 : 0) + list.length;
}

/** One error for "none of the alternatives has this type or value". */
function summaryError(union: ErrorObject, branchErrors: ErrorObject[], instancePath: string): ErrorObject {
  const values: string[] = [];
  const types: string[] = [];
  for (const e of branchErrors) {
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'const') values.push(displayValue(p.allowedValue));
    else if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) values.push(...p.allowedValues.map(displayValue));
    else if (e.keyword === 'type') types.push(...String(p.type).split(',').map(typePhrase));
  }
  const uniqueValues = [...new Set(values)];
  const uniqueTypes = [...new Set(types)];
  let message: string;
  if (uniqueValues.length === 0) message = `Must be ${orList(uniqueTypes)}`;
  else if (uniqueValues.length > MAX_LISTED_VALUES) message = 'Must be one of the allowed values';
  else message = `Must be one of: ${uniqueValues.join(', ')}${uniqueTypes.length > 0 ? `, or ${orList(uniqueTypes)}` : ''}`;
  return { ...union, instancePath, keyword: 'union type', params: { message } };
}
