// JSON Schema → FieldModel. Total: any input gives a model; what a form cannot show becomes a JSON field.
import {
  asNumber, asString, displayValue, humanizeKey, isRecord, mergeSchemas, resolveSchema, stringList,
  structuralKeywords, type SchemaObject,
} from './schema.js';
import {
  ANY_KEY, type ArrayField, type EnumOption, type FieldModel, type FieldPath, type JsonField,
  type NumberField, type ObjectField, type StringField, type VariantField, type VariantOption,
} from './types.js';

// Deeper than any hand-written tool schema; stops runaway expansion of huge generated ones.
const MAX_DEPTH = 24;

interface Context {
  root: unknown;
  refsInUse: readonly string[];
  depth: number;
}

interface Placement {
  path: FieldPath;
  name: string;
  required: boolean;
  /** Label when the schema has no title; defaults to the humanized name. */
  fallbackLabel?: string;
}

type Base = Pick<FieldModel, 'path' | 'name' | 'label' | 'required' | 'nullable' | 'description' | 'default'>;

/** The form for a tool's `inputSchema`. Always an object field; non-object schemas get a free-form root. */
export function buildFormModel(inputSchema: unknown): ObjectField {
  const root = buildField(inputSchema, { path: [], name: '', required: true }, { root: inputSchema, refsInUse: [], depth: 0 });
  if (root.kind === 'object') return root;
  const freeForm = jsonField(baseFor({}, { path: [ANY_KEY], name: ANY_KEY, required: true, fallbackLabel: 'Value' }), 'The input schema is not an object schema');
  return { ...baseFor({}, { path: [], name: '', required: true }), kind: 'object', properties: [], additional: freeForm };
}

function buildField(schema: unknown, at: Placement, ctx: Context): FieldModel {
  const resolved = resolveSchema(schema, ctx.root, ctx.refsInUse);
  if ('problem' in resolved) return jsonField(baseFor({}, at), resolved.problem);
  if (resolved.schema === true) return jsonField(baseFor({}, at), 'Any JSON value');
  if (resolved.schema === false) return jsonField(baseFor({}, at), 'The schema allows no value here');
  const inner: Context = { root: ctx.root, refsInUse: resolved.refsInUse, depth: ctx.depth + 1 };
  if (inner.depth > MAX_DEPTH) return jsonField(baseFor(resolved.schema, at), 'Nested too deeply for a form');
  return buildFromObject(resolved.schema, at, inner);
}

function buildFromObject(s: SchemaObject, at: Placement, ctx: Context): FieldModel {
  const base = baseFor(s, at);
  if ('const' in s) return { ...base, kind: 'enum', options: [{ value: s.const, label: displayValue(s.const) }] };
  if (Array.isArray(s.enum)) return enumFromList(base, s);

  const union = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (union && !unionOnlyConstrains(s, union)) return buildUnion(s, union, at, ctx);

  const types = typeList(s);
  const nonNull = types.filter((t) => t !== 'null');
  if (types.includes('null')) base.nullable = true;
  if (nonNull.length > 1) {
    // `type: ["string", "number"]`: a variant per type, each with the type-specific keywords.
    const annotations = Object.fromEntries(['title', 'description', 'default'].filter((k) => k in s).map((k) => [k, s[k]]));
    const options = nonNull.map((type) => ({ ...structuralKeywords(s, ['type']), type }));
    const field = buildUnion(annotations, options, at, ctx);
    return { ...field, nullable: field.nullable || base.nullable };
  }
  const type = nonNull[0] ?? (types.length > 0 ? 'null' : undefined);
  switch (type) {
    case 'string': return { ...base, kind: 'string', constraints: stringConstraints(s) };
    case 'number': case 'integer': return { ...base, kind: type, constraints: numberConstraints(s) };
    case 'boolean': return { ...base, kind: 'boolean' };
    case 'object': return buildObject(base, s, ctx);
    case 'array': return buildArray(base, s, ctx);
    case 'null': return { ...base, kind: 'enum', options: [{ value: null, label: 'null' }] };
    default: return jsonField(base, type === undefined ? 'The schema does not say what type this is' : `Unknown type "${type}"`);
  }
}

function baseFor(s: SchemaObject, at: Placement): Base {
  const base: Base = {
    path: at.path,
    name: at.name,
    label: asString(s.title)?.trim() || (at.fallbackLabel ?? humanizeKey(at.name)),
    required: at.required,
    nullable: false,
  };
  const description = asString(s.description)?.trim();
  if (description) base.description = description;
  if ('default' in s) base.default = s.default;
  return base;
}

function jsonField(base: Base, reason: string, jsonType?: string): JsonField {
  return jsonType === undefined ? { ...base, kind: 'json', reason } : { ...base, kind: 'json', reason, jsonType };
}

/** Explicit `type`, or the one its keywords imply: generators often leave `type` out. */
function typeList(s: SchemaObject): string[] {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  if ('properties' in s || 'additionalProperties' in s || 'required' in s) return ['object'];
  if ('items' in s || 'prefixItems' in s) return ['array'];
  if ('minLength' in s || 'maxLength' in s || 'pattern' in s || 'format' in s) return ['string'];
  if ('minimum' in s || 'maximum' in s || 'exclusiveMinimum' in s || 'exclusiveMaximum' in s || 'multipleOf' in s) return ['number'];
  return [];
}

function stringConstraints(s: SchemaObject): StringField['constraints'] {
  const c: StringField['constraints'] = {};
  const minLength = asNumber(s.minLength), maxLength = asNumber(s.maxLength);
  const pattern = asString(s.pattern), format = asString(s.format);
  if (minLength !== undefined) c.minLength = minLength;
  if (maxLength !== undefined) c.maxLength = maxLength;
  if (pattern !== undefined) c.pattern = pattern;
  if (format !== undefined) c.format = format;
  return c;
}

function numberConstraints(s: SchemaObject): NumberField['constraints'] {
  const c: NumberField['constraints'] = {};
  for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const) {
    const value = asNumber(s[key]); // draft-04 boolean exclusives are dropped: the validator reports them
    if (value !== undefined) c[key] = value;
  }
  return c;
}

function enumFromList(base: Base, s: SchemaObject): FieldModel {
  const values = s.enum as unknown[];
  // `enumNames` is non-standard but common (older MCP elicitation schemas, react-jsonschema-form).
  const names = Array.isArray(s.enumNames) && s.enumNames.length === values.length ? s.enumNames : undefined;
  const options: EnumOption[] = [];
  values.forEach((value, i) => {
    if (value === null) base.nullable = true;
    else options.push({ value, label: asString(names?.[i]) ?? displayValue(value) });
  });
  return { ...base, kind: 'enum', options };
}

/** `{type: object, properties, oneOf: [{required: [a]}, {required: [b]}]}`: the union only constrains, the form ignores it. */
function unionOnlyConstrains(s: SchemaObject, union: unknown[]): boolean {
  if (!('type' in s) && !('properties' in s)) return false;
  const shaping = ['type', 'properties', 'const', 'enum', 'items', '$ref', 'anyOf', 'oneOf', 'allOf'];
  return union.every((o) => isRecord(o) && !shaping.some((k) => k in o));
}

function isNullSchema(o: unknown): boolean {
  return isRecord(o) && (o.type === 'null' || o.const === null || (Array.isArray(o.enum) && o.enum.length === 1 && o.enum[0] === null));
}

function buildUnion(s: SchemaObject, union: unknown[], at: Placement, ctx: Context): FieldModel {
  const shared = structuralKeywords(s, ['anyOf', 'oneOf']);
  const nullable = union.some(isNullSchema) || (Array.isArray(s.type) && s.type.includes('null'));
  const alternatives = union.filter((o) => !isNullSchema(o));
  const withShared = (o: unknown): unknown => (Object.keys(shared).length === 0 || !isRecord(o) ? o : mergeSchemas(shared, o));

  // One real alternative beside null is a nullable field; the outer title/description/default win.
  if (alternatives.length === 1) {
    const annotations = Object.fromEntries(['title', 'description', 'default'].filter((k) => k in s).map((k) => [k, s[k]]));
    const alternative = withShared(alternatives[0]);
    const merged = isRecord(alternative) ? { ...alternative, ...annotations } : alternative;
    const field = buildField(merged, at, ctx);
    return { ...field, nullable: field.nullable || nullable };
  }

  const base = { ...baseFor(s, at), nullable };
  if (alternatives.length === 0) return { ...base, kind: 'enum', nullable: false, options: [{ value: null, label: 'null' }] };

  // Built without a fallback label, so an empty label means "this alternative has no title".
  const fields = alternatives.map((o) => buildField(withShared(o), { ...at, fallbackLabel: '' }, ctx));
  if (fields.every((f) => f.kind === 'enum')) {
    // oneOf of consts: one labelled enum, titles as labels.
    const options = fields.flatMap((f) => (f.kind === 'enum' ? titledOptions(f) : []));
    return { ...base, kind: 'enum', nullable: nullable || fields.some((f) => f.nullable), options };
  }
  const discriminator = findDiscriminator(fields);
  const labels = fields.map((field, i) => variantLabel(field, discriminator, i));
  const options: VariantOption[] = fields.map((field, i) => {
    const label = labels.indexOf(labels[i] ?? '') === labels.lastIndexOf(labels[i] ?? '') ? (labels[i] ?? '') : `Option ${i + 1}`;
    return { label, field: { ...field, label } };
  });
  const variant: VariantField = { ...base, kind: 'variant', options };
  if (discriminator !== undefined) variant.discriminator = discriminator;
  return variant;
}

function titledOptions(field: Extract<FieldModel, { kind: 'enum' }>): EnumOption[] {
  const only = field.options.length === 1 ? field.options[0] : undefined;
  if (!only || field.label === '') return field.options;
  return [{ ...only, label: field.label, ...(field.description ? { description: field.description } : {}) }];
}

/** A property every object option pins to a different constant, like `mode: "rgb" | "temperature"`. */
function findDiscriminator(fields: FieldModel[]): string | undefined {
  const objects = fields.filter((f): f is ObjectField => f.kind === 'object');
  if (objects.length !== fields.length) return undefined;
  const first = objects[0];
  if (!first) return undefined;
  for (const candidate of first.properties) {
    const values = objects.map((o) => {
      const p = o.properties.find((q) => q.name === candidate.name);
      return p?.kind === 'enum' && p.options.length === 1 ? displayValue(p.options[0]?.value) : undefined;
    });
    if (values.every((v) => v !== undefined) && new Set(values).size === values.length) return candidate.name;
  }
  return undefined;
}

function variantLabel(field: FieldModel, discriminator: string | undefined, index: number): string {
  if (field.label !== '') return field.label;
  if (discriminator !== undefined && field.kind === 'object') {
    const tag = field.properties.find((p) => p.name === discriminator);
    if (tag?.kind === 'enum' && tag.options[0]) return tag.options[0].label;
  }
  if (field.kind === 'json') return `Option ${index + 1}`;
  return field.kind === 'array' ? `list of ${field.items.kind}` : field.kind;
}

function buildObject(base: Base, s: SchemaObject, ctx: Context): FieldModel {
  const declared = isRecord(s.properties) ? s.properties : {};
  const required = new Set(stringList(s.required));
  const properties: FieldModel[] = [];
  for (const [key, sub] of Object.entries(declared)) {
    if (sub === false) continue; // a key that must be absent has no place in a form
    properties.push(buildField(sub, { path: [...base.path, key], name: key, required: required.has(key) }, ctx));
  }
  for (const key of required) {
    if (!Object.hasOwn(declared, key)) {
      properties.push(jsonField(baseFor({}, { path: [...base.path, key], name: key, required: true }), 'Required, but the schema does not describe it'));
    }
  }
  const field: ObjectField = { ...base, kind: 'object', properties };
  const extra = s.additionalProperties;
  if (extra === undefined || extra === false) return field;

  const freeForm = extra === true || (isRecord(extra) && Object.keys(extra).length === 0);
  const template = buildField(extra, { path: [...base.path, ANY_KEY], name: ANY_KEY, required: true, fallbackLabel: 'Value' }, ctx);
  const editableValues = !freeForm && template.kind !== 'json' && template.kind !== 'object' && template.kind !== 'array' && template.kind !== 'variant';
  // A map of complex values, or any keys at all, is easier to type as JSON than through nested editors.
  if (!editableValues && properties.length === 0 && base.path.length > 0) {
    return jsonField(base, freeForm ? 'Free-form object' : 'Object with arbitrary keys', 'object');
  }
  field.additional = template;
  return field;
}

function buildArray(base: Base, s: SchemaObject, ctx: Context): FieldModel {
  if (Array.isArray(s.items) || Array.isArray(s.prefixItems)) return jsonField(base, 'Fixed-length tuple', 'array');
  const itemSchema = s.items === undefined ? true : s.items;
  const items = buildField(itemSchema, { path: [...base.path, ANY_KEY], name: ANY_KEY, required: true, fallbackLabel: 'Item' }, ctx);
  if (items.kind === 'json') return jsonField(base, `List of items a form cannot edit (${items.reason})`, 'array');
  const constraints: ArrayField['constraints'] = {};
  const minItems = asNumber(s.minItems), maxItems = asNumber(s.maxItems);
  if (minItems !== undefined) constraints.minItems = minItems;
  if (maxItems !== undefined) constraints.maxItems = maxItems;
  if (s.uniqueItems === true) constraints.uniqueItems = true;
  return { ...base, kind: 'array', items, constraints };
}

/** True when every parameter is a scalar or an enum, so the palette can ask for them one by one. */
export function isFlatSchema(inputSchema: unknown): boolean {
  const model = buildFormModel(inputSchema);
  if (model.additional) return false;
  return model.properties.every((p) => ['string', 'number', 'integer', 'boolean', 'enum'].includes(p.kind));
}
