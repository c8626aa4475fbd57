// Turns the device model's expressions, templates and "$expr" values into source code, so a scaffolded
// device does by default exactly what the simulator does. Two back ends: TypeScript (plain JS operators
// where they mean the same, small helpers where the model's semantics differ) and C (calls into the
// generated mm_ runtime, which evaluates over cJSON values).
import { compileExpression, templateParts, type ExpressionNode } from '../device/expression.js';
import type { DeviceModel } from '../device/model.js';

export type Backend = 'ts' | 'c';

export interface EmitContext {
  model: DeviceModel;
  /** Declared parameter names of the function whose code this is (TS reads them as typed fields). */
  params?: ReadonlySet<string>;
}

const SCOPE_ROOTS = new Set(['args', 'attributes', 'instance', 'progress', 'payload', 'topic']);

export function tsString(text: string): string {
  return JSON.stringify(text);
}

/** A C string literal; bytes above 0x7e become hex escapes so the source stays ASCII. */
export function cString(text: string): string {
  let out = '"';
  let lastWasHex = false;
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    let piece: string;
    if (ch === '"' || ch === '\\') piece = `\\${ch}`;
    else if (ch === '\n') piece = '\\n';
    else if (ch === '\r') piece = '\\r';
    else if (ch === '\t') piece = '\\t';
    else if (byte < 0x20 || byte > 0x7e) piece = `\\x${byte.toString(16).padStart(2, '0')}`;
    else piece = lastWasHex && /[0-9a-fA-F]/.test(ch) ? `""${ch}` : ch; // a hex escape would swallow a following hex digit
    lastWasHex = piece.startsWith('\\x');
    out += piece;
  }
  return `${out}"`;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

function memberName(node: ExpressionNode): string | undefined {
  return node.kind === 'literal' && typeof node.value === 'string' ? node.value : undefined;
}

// ---- TypeScript ---------------------------------------------------------------------------------

function tsMember(object: string, key: string): string {
  return identifier.test(key) ? `${object}.${key}` : `${object}[${tsString(key)}]`;
}

export function emitTs(node: ExpressionNode, ctx: EmitContext): string {
  switch (node.kind) {
    case 'literal':
      return node.value === undefined ? 'undefined' : JSON.stringify(node.value);
    case 'name':
      if (node.name === 'attributes') return 'state';
      if (SCOPE_ROOTS.has(node.name)) return node.name;
      return Object.hasOwn(ctx.model.attributes, node.name) ? tsMember('state', node.name) : `get(state, ${tsString(node.name)})`;
    case 'member': {
      const key = node.computed ? undefined : memberName(node.property);
      if (key !== undefined && node.object.kind === 'name') {
        const root = node.object.name;
        if (root === 'args' && ctx.params?.has(key)) return tsMember('args', key);
        if (root === 'attributes' && Object.hasOwn(ctx.model.attributes, key)) return tsMember('state', key);
        if (root === 'instance' && ['n', 'id', 'serverName'].includes(key)) return `instance.${key}`;
        if (root === 'progress' && ['percent', 'step', 'steps'].includes(key)) return `progress.${key}`;
      }
      const object = emitTs(node.object, ctx);
      return `get(${object}, ${key !== undefined ? tsString(key) : emitTs(node.property, ctx)})`;
    }
    case 'call':
      return `fn.${node.callee}(${node.args.map((a) => emitTs(a, ctx)).join(', ')})`;
    case 'unary':
      return node.op === '!' ? `!${tsOperand(node.operand, ctx)}` : `-num(${emitTs(node.operand, ctx)})`;
    case 'conditional':
      return `(${emitTs(node.test, ctx)} ? ${emitTs(node.then, ctx)} : ${emitTs(node.otherwise, ctx)})`;
    case 'binary': {
      const a = emitTs(node.left, ctx);
      const b = emitTs(node.right, ctx);
      switch (node.op) {
        case '&&': case '||': return `(${a} ${node.op} ${b})`;
        case '==': return `eq(${a}, ${b})`;
        case '!=': return `!eq(${a}, ${b})`;
        case '+': return `add(${a}, ${b})`;
        case '-': case '*': case '/': case '%': return `(num(${a}) ${node.op} num(${b}))`;
        default: return `compare(${tsString(node.op)}, ${a}, ${b})`;
      }
    }
  }
}

function tsOperand(node: ExpressionNode, ctx: EmitContext): string {
  const code = emitTs(node, ctx);
  return node.kind === 'binary' || node.kind === 'conditional' ? `(${code})` : code;
}

function escapeTemplateText(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
}

/** A "{{ }}" template as a TypeScript template literal. */
export function tsTemplate(template: string, ctx: EmitContext): string {
  const parts = templateParts(template);
  if (parts.every((p) => 'text' in p)) return tsString(template);
  return '`' + parts.map((p) => ('text' in p ? escapeTemplateText(p.text) : `\${fmt(${emitTs(compileExpression(p.expression), ctx)})}`)).join('') + '`';
}

/** A model value ("$expr", a template, an object or array of them, or a constant) as a TypeScript expression. */
export function tsValue(value: unknown, ctx: EmitContext, indent = ''): string {
  if (typeof value === 'string') {
    if (value.startsWith('$$')) return tsString(value.slice(1));
    if (value.startsWith('$')) return emitTs(compileExpression(value.slice(1)), ctx);
    const parts = templateParts(value);
    if (parts.length === 1 && 'expression' in parts[0]!) return emitTs(compileExpression(parts[0].expression), ctx);
    return tsTemplate(value, ctx);
  }
  if (Array.isArray(value)) return `[${value.map((v) => tsValue(v, ctx, indent)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const inner = `${indent}  `;
    const entries = Object.entries(value).map(([k, v]) => `${inner}${identifier.test(k) ? k : tsString(k)}: ${tsValue(v, ctx, inner)},`);
    return entries.length ? `{\n${entries.join('\n')}\n${indent}}` : '{}';
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

// ---- C ------------------------------------------------------------------------------------------

/** C over the mm_ runtime: every value is a cJSON* owned by the pool `p` (or borrowed from the device state). */
export function emitC(node: ExpressionNode): string {
  switch (node.kind) {
    case 'literal':
      if (typeof node.value === 'number') return `mm_num(p, ${cNumber(node.value)})`;
      if (typeof node.value === 'string') return `mm_str(p, ${cString(node.value)})`;
      if (typeof node.value === 'boolean') return `mm_bool(p, ${node.value ? 1 : 0})`;
      return 'mm_null(p)';
    case 'name':
      if (node.name === 'attributes') return 'mm_root(p, "attributes")';
      if (SCOPE_ROOTS.has(node.name)) return `mm_root(p, ${cString(node.name)})`;
      return `mm_attr(p, ${cString(node.name)})`;
    case 'member': {
      const key = node.computed ? undefined : memberName(node.property);
      if (key !== undefined && node.object.kind === 'name') {
        if (node.object.name === 'args') return `mm_arg(p, ${cString(key)})`;
        if (node.object.name === 'attributes') return `mm_attr(p, ${cString(key)})`;
      }
      return `mm_get(p, ${emitC(node.object)}, ${key !== undefined ? `mm_str(p, ${cString(key)})` : emitC(node.property)})`;
    }
    case 'call':
      return `mm_fn(p, ${cString(node.callee)}, ${node.args.length}${node.args.map((a) => `, ${emitC(a)}`).join('')})`;
    case 'unary':
      return node.op === '!' ? `mm_not(p, ${emitC(node.operand)})` : `mm_neg(p, ${emitC(node.operand)})`;
    case 'conditional':
      return `(mm_truthy(${emitC(node.test)}) ? ${emitC(node.then)} : ${emitC(node.otherwise)})`;
    case 'binary': {
      const name = C_BINARY[node.op];
      if (!name) throw new Error(`no C form for operator ${node.op}`);
      // && and || evaluate both sides: expressions have no side effects, so only the chosen value matters.
      return `${name}(p, ${emitC(node.left)}, ${emitC(node.right)})`;
    }
  }
}

const C_BINARY: Record<string, string> = {
  '&&': 'mm_and', '||': 'mm_or', '==': 'mm_eq', '!=': 'mm_ne', '+': 'mm_add', '-': 'mm_sub', '*': 'mm_mul', '/': 'mm_div',
  '%': 'mm_mod', '<': 'mm_lt', '<=': 'mm_le', '>': 'mm_gt', '>=': 'mm_ge',
};

function cNumber(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

export function cTemplate(template: string): string {
  const parts = templateParts(template);
  if (parts.every((p) => 'text' in p)) return `mm_str(p, ${cString(template)})`;
  const pieces = parts.map((p) => ('text' in p ? `mm_str(p, ${cString(p.text)})` : emitC(compileExpression(p.expression))));
  return `mm_render(p, ${pieces.length}, ${pieces.join(', ')})`;
}

export function cValue(value: unknown, indent = ''): string {
  if (typeof value === 'string') {
    if (value.startsWith('$$')) return `mm_str(p, ${cString(value.slice(1))})`;
    if (value.startsWith('$')) return emitC(compileExpression(value.slice(1)));
    const parts = templateParts(value);
    if (parts.length === 1 && 'expression' in parts[0]!) return emitC(compileExpression(parts[0].expression));
    return cTemplate(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return 'mm_arr(p, 0)';
    return `mm_arr(p, ${value.length},\n${value.map((v) => `${inner}${cValue(v, inner)}`).join(',\n')})`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return 'mm_obj(p, 0)';
    return `mm_obj(p, ${entries.length},\n${entries.map(([k, v]) => `${inner}${cString(k)}, ${cValue(v, inner)}`).join(',\n')})`;
  }
  if (typeof value === 'number') return `mm_num(p, ${cNumber(value)})`;
  if (typeof value === 'boolean') return `mm_bool(p, ${value ? 1 : 0})`;
  return 'mm_null(p)';
}
