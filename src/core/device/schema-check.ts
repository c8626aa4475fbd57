// Checks a parsed model against the shipped JSON Schema and turns ajv's raw errors into one readable
// message per field: ajv reports every failed branch of anyOf/oneOf/if, which reads as noise.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../../schemas/device-model.schema.json';

export type PathSegment = string | number;
export interface PathIssue { path: PathSegment[]; message: string }

// One instance for the process: compiling the schema (with the draft-07 meta-schema) is the costly part, so it
// happens on the first model check, not at import (it was ~75 ms of the extension's activation).
export const modelAjv = new Ajv({ allErrors: true, strict: false, verbose: true });
addFormats(modelAjv);
let compiledModelSchema: ValidateFunction | undefined;

const PATTERN_EXPLANATIONS: Record<string, string> = {
  '^[^+#]*$': "must not contain '+' or '#'",
  '^[^/+#]*$': "must not contain '/', '+' or '#'",
  '^[A-Za-z_][A-Za-z0-9_.-]*$': "must start with a letter or '_' and use only letters, digits, '_', '-' and '.'",
  '^[A-Za-z_][A-Za-z0-9_]*$': "must start with a letter or '_' and use only letters, digits and '_'",
};

const TYPE_NAMES: Record<string, string> = {
  number: 'a number', integer: 'an integer', string: 'a string', boolean: 'a boolean (true or false)',
  object: 'an object', array: 'a list', null: 'null',
};

export function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((raw) => {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(part) ? Number(part) : part;
  });
}

export function formatPath(path: PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function closestName(wanted: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(wanted.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const isBranchError = (e: ErrorObject): boolean => /\/(anyOf|oneOf)\//.test(e.schemaPath);

function issuesForField(path: PathSegment[], errors: ErrorObject[], hasDeeperErrors: boolean): PathIssue[] {
  const enumError = errors.find((e) => e.keyword === 'enum');
  if (enumError) {
    const allowed = (enumError.params as { allowedValues: unknown[] }).allowedValues;
    return [{ path, message: `must be one of: ${allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}` }];
  }
  const issues: PathIssue[] = [];
  // A value that matched one branch's type but failed inside it is better described by the inner error.
  const typeErrors = errors.filter((e) => e.keyword === 'type' && !(hasDeeperErrors && isBranchError(e)));
  if (typeErrors.length) {
    const types = [...new Set(typeErrors.flatMap((e) => String((e.params as { type: string }).type).split(',')))];
    issues.push({ path, message: `expected ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}` });
  }
  const alternatives = errors.filter((e) => e.keyword === 'required' && isBranchError(e));
  if (alternatives.length > 1) {
    issues.push({ path, message: `needs one of: ${alternatives.map((e) => (e.params as { missingProperty: string }).missingProperty).join(', ')}` });
  }
  for (const e of errors) {
    switch (e.keyword) {
      case 'type': case 'enum': case 'if': case 'anyOf': case 'oneOf': case 'allOf': break;
      case 'required':
        if (alternatives.length <= 1) issues.push({ path: [...path, (e.params as { missingProperty: string }).missingProperty], message: 'is required' });
        break;
      case 'additionalProperties': {
        const name = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const suggestion = closestName(name, known);
        issues.push({ path: [...path, name], message: `unknown property${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` });
        break;
      }
      case 'propertyNames': {
        const name = (e.params as { propertyName: string }).propertyName;
        const pattern = (e.schema as { pattern?: string } | undefined)?.pattern;
        issues.push({ path: [...path, name], message: `name ${(pattern && PATTERN_EXPLANATIONS[pattern]) ?? 'is not allowed'}` });
        break;
      }
      case 'pattern': {
        if (e.schemaPath.includes('/propertyNames/')) break; // reported by the propertyNames error
        const pattern = (e.params as { pattern: string }).pattern;
        issues.push({ path, message: PATTERN_EXPLANATIONS[pattern] ?? `must match ${pattern}` });
        break;
      }
      case 'const':
        issues.push({ path, message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` });
        break;
      default:
        issues.push({ path, message: e.message ?? e.keyword });
    }
  }
  return issues;
}

/** Schema problems, one readable issue per field, in document order. */
export function checkAgainstSchema(data: unknown): PathIssue[] {
  const validateAgainstSchema = (compiledModelSchema ??= modelAjv.compile(schema));
  if (validateAgainstSchema(data)) return [];
  const errors = validateAgainstSchema.errors ?? [];
  const byPointer = new Map<string, ErrorObject[]>();
  for (const e of errors) byPointer.set(e.instancePath, [...(byPointer.get(e.instancePath) ?? []), e]);
  const pointers = [...byPointer.keys()];
  return pointers.flatMap((pointer) => {
    const hasDeeperErrors = pointers.some((other) => other.startsWith(`${pointer}/`));
    return issuesForField(pointerToPath(pointer), byPointer.get(pointer)!, hasDeeperErrors);
  });
}
