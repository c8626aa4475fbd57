// Takes an attribute's value out of a device message (text, number, JSON pointer, Sparkplug B metric),
// converts it to the attribute's type and applies scale and offset. Anything that does not fit is a
// problem to report, never a value to store.
import { attributeValueProblem } from '../device/attribute-values.js';
import type { AttributeModel, AttributeSource } from '../device/model.js';
import { preview, type DecodedMessage } from './received.js';

export type Extracted =
  | { kind: 'value'; value: unknown }
  | { kind: 'problem'; problem: string }
  /** The message does not carry this attribute (a Sparkplug DATA message with other metrics only). */
  | { kind: 'absent' };

const TRUE_WORDS = new Set(['true', 'on', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'off', 'no', '0']);

export function extractValue(attribute: AttributeModel, source: AttributeSource, message: DecodedMessage): Extracted {
  const raw = pick(source, message);
  if (raw.kind !== 'value') return raw;
  const converted = convert(attribute, raw.value);
  if (converted.kind !== 'value') return converted;
  const value = transform(attribute, source, converted.value);
  const problem = attributeValueProblem(attribute, value);
  return problem ? { kind: 'problem', problem } : { kind: 'value', value };
}

function pick(source: AttributeSource, message: DecodedMessage): Extracted {
  const extract = source.extract ?? 'raw';
  if (message.sparkplug) {
    if (typeof extract !== 'object' || !('sparkplug' in extract)) {
      return { kind: 'problem', problem: 'is a Sparkplug B payload; read it with extract: { sparkplug: "metric name" }' };
    }
    const name = extract.sparkplug;
    if (Object.hasOwn(message.sparkplug.metrics, name)) return { kind: 'value', value: message.sparkplug.metrics[name] };
    if (message.sparkplug.unknownAliases.length) {
      return { kind: 'problem', problem: `has metrics known only by alias (${message.sparkplug.unknownAliases.join(', ')}) and no BIRTH has named them yet` };
    }
    return { kind: 'absent' };
  }
  if (extract === 'raw') return { kind: 'value', value: message.text };
  if (extract === 'number') {
    const number = parseNumber(message.text);
    return number === undefined ? { kind: 'problem', problem: `is not a number: "${preview(message.text)}"` } : { kind: 'value', value: number };
  }
  if ('sparkplug' in extract) return { kind: 'problem', problem: `is not a Sparkplug B payload (the topic is not under spBv1.0/)` };
  if (!message.json) return { kind: 'problem', problem: `is not JSON: "${preview(message.text)}"` };
  const found = resolvePointer(message.payload, extract.json);
  return found.ok ? { kind: 'value', value: found.value } : { kind: 'problem', problem: `has nothing at JSON pointer "${extract.json}": ${preview(message.text)}` };
}

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : undefined;
}

/** RFC 6901: "" is the whole document, "/a/0/b~1c" walks a.0."b/c". Own properties only. */
export function resolvePointer(document: unknown, pointer: string): { ok: true; value: unknown } | { ok: false } {
  if (pointer === '') return { ok: true, value: document };
  let current = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^(0|[1-9]\d*)$/.test(key) && Number(key) < current.length) current = current[Number(key)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, key)) current = (current as Record<string, unknown>)[key];
    else return { ok: false };
  }
  return { ok: true, value: current };
}

function convert(attribute: AttributeModel, value: unknown): Extracted {
  const fail = (): Extracted => ({ kind: 'problem', problem: `cannot be read as ${attribute.type === 'integer' ? 'an integer' : `a ${attribute.type}`}: ${preview(JSON.stringify(value) ?? String(value))}` });
  switch (attribute.type) {
    case 'number':
    case 'integer': {
      if (typeof value === 'number') return { kind: 'value', value };
      const number = typeof value === 'string' ? parseNumber(value) : undefined;
      return number === undefined ? fail() : { kind: 'value', value: number };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { kind: 'value', value };
      const word = String(value).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { kind: 'value', value: true };
      if (FALSE_WORDS.has(word)) return { kind: 'value', value: false };
      return fail();
    }
    case 'string':
    case 'enum':
      if (typeof value === 'string') return { kind: 'value', value };
      if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'value', value: String(value) };
      return attribute.type === 'string' ? { kind: 'value', value: JSON.stringify(value) } : fail();
    case 'object': {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { kind: 'value', value };
      if (typeof value !== 'string') return fail();
      try {
        const parsed = JSON.parse(value) as unknown;
        return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? { kind: 'value', value: parsed } : fail();
      } catch {
        return fail();
      }
    }
  }
}

function transform(attribute: AttributeModel, source: AttributeSource, value: unknown): unknown {
  if (typeof value !== 'number' || (source.scale === undefined && source.offset === undefined)) return value;
  const scaled = value * (source.scale ?? 1) + (source.offset ?? 0);
  // 215 × 0.1 is 21.500000000000004 in binary floating point; twelve significant digits hide that.
  const tidy = Number(scaled.toPrecision(12));
  return attribute.type === 'integer' ? Math.round(tidy) : tidy;
}
