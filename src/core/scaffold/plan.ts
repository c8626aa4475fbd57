// What both scaffolds need from a device model: identifiers that are legal in TypeScript and C, the
// arguments of each function as the generated code sees them, and the tool that writes writable attributes.
import { setAttributeFunction as setAttributeTool, type AttributeModel, type DeviceModel, type FunctionModel } from '../device/model.js';

export type ScaffoldLanguage = 'ts' | 'c';

export interface GeneratedFile {
  /** Relative to the output folder, with "/" separators. */
  path: string;
  content: string;
  /**
   * 'generated' files are rewritten on every run; 'stub' files are where the developer writes the device's
   * code, so they are written only when absent.
   */
  kind: 'generated' | 'stub';
}

export interface ParamInfo {
  name: string;
  /** JSON Schema type, 'integer' kept apart from 'number'; 'any' when the schema gives none. */
  type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'any';
  required: boolean;
  schema: Record<string, unknown>;
  enumValues?: unknown[];
  hasDefault: boolean;
}

export function identifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

export function pascal(name: string): string {
  return identifier(name).split('_').filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Fn';
}

export function params(fn: FunctionModel): ParamInfo[] {
  const schema = fn.parameters ?? {};
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, prop]) => {
    const t = typeof prop.type === 'string' ? prop.type : undefined;
    const type = (['string', 'number', 'integer', 'boolean', 'object', 'array'] as const).find((k) => k === t) ?? 'any';
    return {
      name,
      type,
      required: required.has(name),
      schema: prop,
      ...(Array.isArray(prop.enum) ? { enumValues: prop.enum as unknown[] } : {}),
      hasDefault: prop.default !== undefined,
    };
  });
}

export function writableAttributes(model: DeviceModel): string[] {
  return Object.entries(model.attributes).filter(([, a]) => a.writable).map(([name]) => name);
}

/** The same generated tool the simulator offers for writable attributes. */
export function setAttributeFunction(model: DeviceModel): FunctionModel | undefined {
  const writable = writableAttributes(model);
  return writable.length ? setAttributeTool(writable) : undefined;
}

/** The model's functions plus set_attribute: every tool the device lists. */
export function allFunctions(model: DeviceModel): FunctionModel[] {
  const generated = setAttributeFunction(model);
  return generated && !model.functions.some((f) => f.name === generated.name) ? [...model.functions, generated] : model.functions;
}

/** A short, stable project name from the server-name ("home/thermostat/{n}" -> "home-thermostat"). */
export function projectName(model: DeviceModel): string {
  const base = model.serverName.replace(/\{[^}]*\}/g, '').split('/').filter(Boolean).join('-').toLowerCase();
  return base.replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'mcp-device';
}

/** The server-name template as the device fills it at start: {id} = server-id, {n} = instance number. */
export function describeAttribute(name: string, attribute: AttributeModel): string {
  return [attribute.description, attribute.unit ? `Unit: ${attribute.unit}.` : '', attribute.writable ? 'Writable.' : '']
    .filter(Boolean).join(' ') || `Attribute ${name}`;
}

/** Input schema as listed in tools/list. */
export function inputSchema(fn: FunctionModel): Record<string, unknown> {
  return fn.parameters ?? { type: 'object', properties: {} };
}
