// One line per parameter, for tree item tooltips and the CLI's tool listing.
import { buildFormModel } from './build.js';
import { displayValue } from './schema.js';
import type { FieldModel, NumberField } from './types.js';

// Enum values shown before "…"; tooltips should stay a few lines.
const MAX_SHOWN_OPTIONS = 6;

/** E.g. `target: number (required, 5–35) — Target temperature in °C`; "No parameters" when there are none. */
export function summarizeSchema(inputSchema: unknown): string {
  const model = buildFormModel(inputSchema);
  const lines = model.properties.map(summarizeField);
  if (model.additional) lines.push(`${model.properties.length > 0 ? 'other keys' : 'any keys'}: ${typeText(model.additional)}`);
  return lines.length > 0 ? lines.join('\n') : 'No parameters';
}

function summarizeField(field: FieldModel): string {
  const notes = [field.required ? 'required' : '', ...constraintNotes(field)];
  if ('default' in field) notes.push(`default ${displayValue(field.default)}`);
  const shownNotes = notes.filter((n) => n !== '');
  const description = field.description ? ` — ${field.description.split('\n')[0]}` : '';
  return `${field.name}: ${typeText(field)}${shownNotes.length > 0 ? ` (${shownNotes.join(', ')})` : ''}${description}`;
}

function typeText(field: FieldModel): string {
  let text: string;
  switch (field.kind) {
    case 'enum': {
      const shown = field.options.slice(0, MAX_SHOWN_OPTIONS).map((o) => JSON.stringify(o.value) ?? displayValue(o.value));
      text = shown.join(' | ') + (field.options.length > MAX_SHOWN_OPTIONS ? ` | … (${field.options.length} values)` : '');
      break;
    }
    case 'array': text = `${typeText(field.items)}[]`; break;
    case 'variant': text = field.options.map((o) => o.label).join(' | '); break;
    case 'json': text = field.jsonType ?? 'any'; break;
    case 'string': text = field.constraints.format ?? 'string'; break; // "date-time", "email", ... say more than "string"
    default: text = field.kind;
  }
  if (field.kind === 'array' && /[| ]/.test(typeText(field.items))) text = `(${typeText(field.items)})[]`;
  return field.nullable ? `${text} | null` : text;
}

function constraintNotes(field: FieldModel): string[] {
  switch (field.kind) {
    case 'number': case 'integer': return [rangeText(field)];
    case 'string': {
      const { minLength, maxLength } = field.constraints;
      return [span(minLength, maxLength, 'chars')];
    }
    case 'array': return [span(field.constraints.minItems, field.constraints.maxItems, 'items')];
    default: return [];
  }
}

function span(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return min === max ? `${min} ${unit}` : `${min}–${max} ${unit}`;
  if (min !== undefined && unit === 'chars' && min === 1) return 'non-empty';
  if (min !== undefined) return min > 0 ? `≥ ${min} ${unit}` : '';
  return max !== undefined ? `≤ ${max} ${unit}` : '';
}

/** "5–35", "≥ 0", "> 0, ≤ 1440", "multiple of 0.5"; zod's ±(2^53-1) "safe integer" bounds are left out as noise. */
function rangeText(field: NumberField): string {
  const meaningful = (n: number | undefined): number | undefined => (n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  const c = field.constraints;
  const min = meaningful(c.minimum), max = meaningful(c.maximum);
  const exMin = meaningful(c.exclusiveMinimum), exMax = meaningful(c.exclusiveMaximum);
  const parts: string[] = [];
  if (min !== undefined && max !== undefined) parts.push(`${min}–${max}`);
  if (min !== undefined && max === undefined) parts.push(`≥ ${min}`);
  if (exMin !== undefined) parts.push(`> ${exMin}`);
  if (max !== undefined && min === undefined) parts.push(`≤ ${max}`);
  if (exMax !== undefined) parts.push(`< ${exMax}`);
  if (c.multipleOf !== undefined) parts.push(`multiple of ${c.multipleOf}`);
  return parts.join(', ');
}
