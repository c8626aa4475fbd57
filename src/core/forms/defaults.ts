// The document the palette's JSON editor starts from: every default, plus placeholders for required fields.
import { buildFormModel } from './build.js';
import type { FieldModel, NumberField, ObjectField } from './types.js';

// Enough placeholder items to satisfy a minItems, without flooding the editor.
const MAX_PLACEHOLDER_ITEMS = 10;

/**
 * Arguments prefilled from the schema: defaults wherever given, else a placeholder for each required
 * field ('' / a number in range / false / the first option / null for nullable); optional fields without
 * a default are left out.
 */
export function defaultArguments(inputSchema: unknown): Record<string, unknown> {
  const root = buildFormModel(inputSchema);
  const value = 'default' in root && isPlainObject(root.default) ? structuredClone(root.default) : objectValue(root);
  return value;
}

/** The initial value for one field: its default, else a placeholder (used for required fields and new items). */
export function initialValue(field: FieldModel): unknown {
  if ('default' in field) return cloneJson(field.default);
  if (field.nullable) return null;
  switch (field.kind) {
    case 'string': return '';
    case 'number': case 'integer': return numberPlaceholder(field);
    case 'boolean': return false;
    case 'enum': return field.options[0]?.value ?? null;
    case 'object': return objectValue(field);
    case 'array': {
      const count = Math.min(field.constraints.minItems ?? 0, MAX_PLACEHOLDER_ITEMS);
      return Array.from({ length: count }, () => initialValue(field.items));
    }
    case 'variant': return field.options[0] ? initialValue(field.options[0].field) : null;
    case 'json': return field.jsonType === 'object' ? {} : field.jsonType === 'array' ? [] : null;
  }
}

function objectValue(field: ObjectField): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const property of field.properties) {
    if (property.required || 'default' in property) out[property.name] = initialValue(property);
  }
  return out;
}

/** 0 moved into the allowed range, so the placeholder is at least plausible. */
function numberPlaceholder(field: NumberField): number {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = field.constraints;
  const step = multipleOf ?? 1;
  let value = 0;
  if (minimum !== undefined && value < minimum) value = minimum;
  if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) value = exclusiveMinimum + step;
  if (maximum !== undefined && value > maximum) value = maximum;
  if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) value = exclusiveMaximum - step;
  if (multipleOf !== undefined && multipleOf > 0) value = Math.ceil(value / multipleOf) * multipleOf;
  return field.kind === 'integer' ? Math.ceil(value) : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cloneJson(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}
