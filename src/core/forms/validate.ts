// Validation of tool arguments with ajv. Extension host / CLI only: ajv compiles validators with
// `new Function`, which the webview's content security policy forbids.
import Ajv, { type AnySchema, type Options } from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { inlineLocalRefs } from './inline-refs.js';
import { issuesFromAjv } from './messages.js';
import { isRecord } from './schema.js';
import type { ValidationIssue } from './types.js';

export type Validator = (value: unknown) => ValidationIssue[];

// Tool lists are refetched often and give equal schemas as new objects, so the cache is keyed by JSON text.
const MAX_CACHED = 256;
const cache = new Map<string, Validator>();

const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: false, // servers add their own keywords (x-*, enumNames, markdownDescription, ...)
  logger: false,
  validateFormats: true,
};

/**
 * A validator for `schema` that returns every problem with a value, each at the path of the field it
 * belongs to. Never throws: a schema ajv cannot compile gives a validator reporting one issue at the root.
 */
export function createValidator(schema: unknown): Validator {
  let key: string | undefined;
  try {
    key = JSON.stringify(schema);
  } catch {
    key = undefined; // cyclic object or BigInt: compile without caching
  }
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached) {
    cache.delete(key as string); // re-insert: the Map's order doubles as least-recently-used order
    cache.set(key as string, cached);
    return cached;
  }
  const validator = compile(schema);
  if (key !== undefined) {
    cache.set(key, validator);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return validator;
}

function compile(schema: unknown): Validator {
  try {
    if (typeof schema !== 'boolean' && !isRecord(schema)) throw new Error('a schema must be an object or a boolean');
    const validate = ajvFor(schema).compile(inlineLocalRefs(withoutMetaSchema(schema)) as AnySchema);
    return (value) => (validate(value) ? [] : issuesFromAjv(validate.errors ?? []));
  } catch (e) {
    const why = e instanceof RangeError ? 'its references loop without end' : (e as Error).message;
    const issue: ValidationIssue = { path: [], message: `The tool's input schema cannot be used to check arguments: ${why}` };
    return () => [{ ...issue, path: [] }];
  }
}

// A fresh instance per schema: ajv rejects two schemas with the same $id in one instance, and tools from
// different devices often reuse ids.
function ajvFor(schema: unknown): Ajv {
  const dialect = isRecord(schema) && typeof schema.$schema === 'string' ? schema.$schema : '';
  const uses2020Keywords = isRecord(schema) && /"(prefixItems|\$dynamicRef|\$dynamicAnchor)"/.test(JSON.stringify(schema));
  const ajv = dialect.includes('2020-12') || (dialect === '' && uses2020Keywords)
    ? new Ajv2020(AJV_OPTIONS)
    : dialect.includes('2019-09') ? new Ajv2019(AJV_OPTIONS) : new Ajv(AJV_OPTIONS);
  addFormats(ajv);
  return ajv;
}

// The dialect is chosen above; leaving `$schema` in would make ajv fail on meta-schemas it does not bundle.
function withoutMetaSchema(schema: unknown): unknown {
  if (!isRecord(schema) || !('$schema' in schema)) return schema;
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
