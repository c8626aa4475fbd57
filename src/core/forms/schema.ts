// Reading raw JSON Schema as MCP servers send it: local $ref, allOf, and the keywords that only
// annotate. Nothing here throws on odd input; callers get `undefined` or a problem string instead.

export type SchemaObject = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Resolves a local reference ("#", "#/$defs/X", "#/definitions/X", any "#/..." pointer) against the root. */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const pointer = ref.slice(1);
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined; // "#anchor" names are not supported
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = safeDecode(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (isRecord(node) && Object.hasOwn(node, key)) node = node[key];
    else if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else return undefined;
  }
  return node;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export type Resolved =
  | { schema: SchemaObject | boolean; refsInUse: readonly string[] }
  | { problem: string };

/**
 * Follows `$ref` chains and folds `allOf` into one schema. Keywords next to a `$ref` override the target
 * (2019+ semantics, and what generators mean when they put a description beside a ref).
 * `refsInUse` is the chain of refs being expanded above this point: meeting one again is a cycle.
 */
export function resolveSchema(schema: unknown, root: unknown, refsInUse: readonly string[]): Resolved {
  let current = schema;
  let inUse = refsInUse;
  for (let hops = 0; isRecord(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref;
    if (inUse.includes(ref) || hops > 32) return { problem: `Recursive schema (${ref})` };
    const target = resolveLocalRef(root, ref);
    if (target === undefined) return { problem: `Unresolvable reference ${ref}` };
    const { $ref: _ref, ...siblings } = current;
    current = mergeRefTarget(target, siblings);
    inUse = [...inUse, ref];
  }
  if (typeof current === 'boolean') return { schema: current, refsInUse: inUse };
  if (!isRecord(current)) return { problem: 'Not a JSON Schema' };
  if (Array.isArray(current.allOf)) return foldAllOf(current, root, inUse);
  return { schema: current, refsInUse: inUse };
}

function mergeRefTarget(target: unknown, siblings: SchemaObject): unknown {
  if (Object.keys(siblings).length === 0) return target;
  if (target === true) return siblings;
  if (!isRecord(target)) return target;
  return { ...target, ...siblings };
}

function foldAllOf(schema: SchemaObject, root: unknown, refsInUse: readonly string[]): Resolved {
  const { allOf, ...rest } = schema;
  let merged: SchemaObject = {};
  for (const part of allOf as unknown[]) {
    const resolved = resolveSchema(part, root, refsInUse);
    if ('problem' in resolved) return resolved;
    if (resolved.schema === false) return { schema: false, refsInUse };
    if (resolved.schema === true) continue;
    merged = mergeSchemas(merged, resolved.schema);
  }
  return { schema: mergeSchemas(merged, rest), refsInUse };
}

/** Shallow merge where `properties` are combined and `required` lists are united; later keywords win. */
export function mergeSchemas(base: SchemaObject, extra: SchemaObject): SchemaObject {
  const merged: SchemaObject = { ...base, ...extra };
  if (isRecord(base.properties) && isRecord(extra.properties)) {
    merged.properties = { ...base.properties, ...extra.properties };
  }
  const required = [...stringList(base.required), ...stringList(extra.required)];
  if (required.length > 0) merged.required = [...new Set(required)];
  return merged;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Keywords that only describe a schema, as opposed to constraining its values. */
const ANNOTATION_KEYWORDS = new Set([
  'title', 'description', 'default', 'examples', 'example', 'deprecated', 'readOnly', 'writeOnly',
  '$schema', '$id', '$comment', '$defs', 'definitions', 'markdownDescription',
]);

/** The constraining part of a schema, e.g. to share an object's own properties with each of its variants. */
export function structuralKeywords(schema: SchemaObject, omit: readonly string[]): SchemaObject {
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!ANNOTATION_KEYWORDS.has(key) && !omit.includes(key)) out[key] = value;
  }
  return out;
}

/** "hold_minutes" → "Hold minutes", "deviceId" → "Device id", "HVACMode" → "HVAC mode". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter((w) => w !== '')
    .map((w) => (w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()));
  if (words.length === 0) return key;
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How a value shows in labels and messages: strings bare, anything else as JSON. */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
