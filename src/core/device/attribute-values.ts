import type { AttributeModel } from './model.js';

/** Why `value` cannot be stored in the attribute, or undefined when it can. */
export function attributeValueProblem(attribute: AttributeModel, value: unknown): string | undefined {
  switch (attribute.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected ${attribute.type === 'integer' ? 'an integer' : 'a number'}, got ${describeValue(value)}`;
      if (attribute.type === 'integer' && !Number.isInteger(value)) return `expected an integer, got ${value}`;
      if (attribute.min !== undefined && value < attribute.min) return `${value} is below the minimum ${attribute.min}`;
      if (attribute.max !== undefined && value > attribute.max) return `${value} is above the maximum ${attribute.max}`;
      return undefined;
    }
    case 'string': return typeof value === 'string' ? undefined : `expected a string, got ${describeValue(value)}`;
    case 'boolean': return typeof value === 'boolean' ? undefined : `expected true or false, got ${describeValue(value)}`;
    case 'enum':
      return typeof value === 'string' && attribute.values?.includes(value)
        ? undefined
        : `expected one of ${attribute.values?.join(', ')}, got ${describeValue(value)}`;
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : `expected an object, got ${describeValue(value)}`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What clients see: numbers rounded to the declared decimals, integers whole. */
export function presentValue(attribute: AttributeModel, raw: unknown): unknown {
  if (typeof raw !== 'number') return raw;
  if (attribute.type === 'integer') return Math.round(raw);
  if (attribute.decimals === undefined) return raw;
  const factor = 10 ** attribute.decimals;
  return Math.round(raw * factor) / factor;
}
