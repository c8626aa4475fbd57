// A deliberately small expression language for device models: conditions ("temperature > 30"),
// effect values ("$args.target") and templates ("{{attributes.temperature}} °C").
// Model files come from anywhere, so this is a hand-written parser and tree-walker: no eval, no
// new Function, and member access only reaches own properties of plain data.

export class ExpressionError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export type ExpressionNode =
  | { kind: 'literal'; value: unknown }
  | { kind: 'name'; name: string }
  | { kind: 'member'; object: ExpressionNode; property: ExpressionNode; computed: boolean }
  | { kind: 'call'; callee: string; args: ExpressionNode[] }
  | { kind: 'unary'; op: '!' | '-'; operand: ExpressionNode }
  | { kind: 'binary'; op: string; left: ExpressionNode; right: ExpressionNode }
  | { kind: 'conditional'; test: ExpressionNode; then: ExpressionNode; otherwise: ExpressionNode };

export interface ExpressionScope {
  args: Record<string, unknown>;
  attributes: Record<string, unknown>;
  instance: { n: number; id: string; serverName: string };
  /** Only while a slow call reports progress. */
  progress?: { percent: number; step: number; steps: number };
  /** Proxy only: the MQTT message being looked at (a confirmation, or the message that fires an event). */
  payload?: unknown;
  topic?: string;
  /** A function with `elicit`: what the user filled in when they accepted. */
  elicited?: Record<string, unknown>;
  /** A function with `sample`: the client model's answer. */
  sampled?: { text: string; model: string };
}

/** Names that always mean the scope roots; a bare other name means an attribute. */
export const SCOPE_ROOTS = ['args', 'attributes', 'instance', 'progress', 'payload', 'topic', 'elicited', 'sampled'] as const;

const KEYWORD_VALUES: Record<string, unknown> = { true: true, false: false, null: null };
const WORD_OPERATORS: Record<string, string> = { and: '&&', or: '||', not: '!' };

type Token =
  | { type: 'number'; value: number; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'ident'; value: string; pos: number }
  | { type: 'op'; value: string; pos: number }
  | { type: 'end'; pos: number };

const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '(', ')', '[', ']', '.', ','];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^(?:[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(source.slice(i))!;
      tokens.push({ type: 'number', value: Number(match[0]), pos: i });
      i += match[0].length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== ch) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new ExpressionError('unterminated string', i);
      tokens.push({ type: 'string', value: text, pos: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      const word = match[0];
      if (Object.hasOwn(WORD_OPERATORS, word)) tokens.push({ type: 'op', value: WORD_OPERATORS[word]!, pos: i });
      else tokens.push({ type: 'ident', value: word, pos: i });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected character '${ch}'`, i);
    // Accept JS habits (=== / !==) but treat them like == / != since values are plain data.
    tokens.push({ type: 'op', value: op.length === 3 ? op.slice(0, 2) : op, pos: i });
    i += op.length;
  }
  tokens.push({ type: 'end', pos: source.length });
  return tokens;
}

const BINARY_LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): ExpressionNode {
    const node = this.parseConditional();
    const next = this.peek();
    if (next.type !== 'end') throw new ExpressionError(`unexpected '${describe(next)}'`, next.pos);
    return node;
  }

  private peek(): Token { return this.tokens[this.index]!; }
  private next(): Token { return this.tokens[this.index++]!; }
  private isOp(value: string): boolean { const t = this.peek(); return t.type === 'op' && t.value === value; }
  private expectOp(value: string): void {
    const t = this.next();
    if (t.type !== 'op' || t.value !== value) throw new ExpressionError(`expected '${value}' but found '${describe(t)}'`, t.pos);
  }

  private parseConditional(): ExpressionNode {
    const test = this.parseBinary(0);
    if (!this.isOp('?')) return test;
    this.next();
    const then = this.parseConditional();
    this.expectOp(':');
    return { kind: 'conditional', test, then, otherwise: this.parseConditional() };
  }

  private parseBinary(level: number): ExpressionNode {
    if (level >= BINARY_LEVELS.length) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || !BINARY_LEVELS[level]!.includes(t.value)) return left;
      this.next();
      left = { kind: 'binary', op: t.value, left, right: this.parseBinary(level + 1) };
    }
  }

  private parseUnary(): ExpressionNode {
    if (this.isOp('!') || this.isOp('-')) {
      const op = (this.next() as { value: '!' | '-' }).value;
      return { kind: 'unary', op, operand: this.parseUnary() };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): ExpressionNode {
    let node = this.parsePrimary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const t = this.next();
        if (t.type !== 'ident') throw new ExpressionError(`expected a property name after '.'`, t.pos);
        node = { kind: 'member', object: node, property: { kind: 'literal', value: t.value }, computed: false };
      } else if (this.isOp('[')) {
        this.next();
        const property = this.parseConditional();
        this.expectOp(']');
        node = { kind: 'member', object: node, property, computed: true };
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): ExpressionNode {
    const t = this.next();
    if (t.type === 'number' || t.type === 'string') return { kind: 'literal', value: t.value };
    if (t.type === 'ident') {
      if (Object.hasOwn(KEYWORD_VALUES, t.value)) return { kind: 'literal', value: KEYWORD_VALUES[t.value] };
      if (this.isOp('(')) {
        if (!Object.hasOwn(BUILTINS, t.value)) throw new ExpressionError(`unknown function '${t.value}'`, t.pos);
        this.next();
        const args: ExpressionNode[] = [];
        if (!this.isOp(')')) {
          args.push(this.parseConditional());
          while (this.isOp(',')) {
            this.next();
            args.push(this.parseConditional());
          }
        }
        this.expectOp(')');
        return { kind: 'call', callee: t.value, args };
      }
      return { kind: 'name', name: t.value };
    }
    if (t.type === 'op' && t.value === '(') {
      const inner = this.parseConditional();
      this.expectOp(')');
      return inner;
    }
    throw new ExpressionError(t.type === 'end' ? 'unexpected end of expression' : `unexpected '${describe(t)}'`, t.pos);
  }
}

function describe(t: Token): string {
  return t.type === 'end' ? 'end of expression' : String(t.value);
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const round = (v: unknown, digits: unknown = 0): number => {
  const factor = 10 ** toNumber(digits);
  return Math.round(toNumber(v) * factor) / factor;
};

const BUILTINS: Record<string, (...args: unknown[]) => unknown> = {
  round,
  floor: (v) => Math.floor(toNumber(v)),
  ceil: (v) => Math.ceil(toNumber(v)),
  abs: (v) => Math.abs(toNumber(v)),
  min: (...vs) => Math.min(...vs.map(toNumber)),
  max: (...vs) => Math.max(...vs.map(toNumber)),
  clamp: (v, lo, hi) => Math.min(Math.max(toNumber(v), toNumber(lo)), toNumber(hi)),
  fixed: (v, digits = 0) => toNumber(v).toFixed(Math.min(20, Math.max(0, Math.trunc(toNumber(digits)) || 0))),
  upper: (v) => String(v).toUpperCase(),
  lower: (v) => String(v).toLowerCase(),
  length: (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : 0),
  json: (v) => JSON.stringify(v),
  string: (v) => (v === undefined || v === null ? '' : String(v)),
  number: (v) => toNumber(v),
};

const FORBIDDEN_PROPERTIES = new Set(['__proto__', 'prototype', 'constructor']);

function readProperty(object: unknown, key: unknown): unknown {
  if (object === null || object === undefined) return undefined;
  const name = String(key);
  if (FORBIDDEN_PROPERTIES.has(name)) return undefined;
  if (typeof object === 'string') return name === 'length' ? object.length : undefined;
  if (Array.isArray(object)) return name === 'length' ? object.length : /^\d+$/.test(name) ? object[Number(name)] : undefined;
  if (typeof object === 'object' && Object.hasOwn(object, name)) return (object as Record<string, unknown>)[name];
  return undefined;
}

function evaluateNode(node: ExpressionNode, scope: ExpressionScope): unknown {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'name':
      if ((SCOPE_ROOTS as readonly string[]).includes(node.name)) return scope[node.name as keyof ExpressionScope];
      return readProperty(scope.attributes, node.name);
    case 'member': return readProperty(evaluateNode(node.object, scope), evaluateNode(node.property, scope));
    case 'call': return BUILTINS[node.callee]!(...node.args.map((a) => evaluateNode(a, scope)));
    case 'unary': {
      const v = evaluateNode(node.operand, scope);
      return node.op === '!' ? !v : -toNumber(v);
    }
    case 'conditional': return evaluateNode(node.test, scope) ? evaluateNode(node.then, scope) : evaluateNode(node.otherwise, scope);
    case 'binary': {
      if (node.op === '&&') return evaluateNode(node.left, scope) && evaluateNode(node.right, scope);
      if (node.op === '||') return evaluateNode(node.left, scope) || evaluateNode(node.right, scope);
      return applyBinary(node.op, evaluateNode(node.left, scope), evaluateNode(node.right, scope));
    }
  }
}

function applyBinary(op: string, a: unknown, b: unknown): unknown {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '+': return typeof a === 'string' || typeof b === 'string' ? `${a ?? ''}${b ?? ''}` : toNumber(a) + toNumber(b);
    case '-': return toNumber(a) - toNumber(b);
    case '*': return toNumber(a) * toNumber(b);
    case '/': return toNumber(a) / toNumber(b);
    case '%': return toNumber(a) % toNumber(b);
  }
  // Comparisons: strings compare as strings, everything else numerically.
  const [x, y] = typeof a === 'string' && typeof b === 'string' ? [a, b] : [toNumber(a), toNumber(b)];
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

const compiled = new Map<string, ExpressionNode>();

/** Parses once per distinct source text; model files reuse the same expressions every tick. */
export function compileExpression(source: string): ExpressionNode {
  let node = compiled.get(source);
  if (!node) {
    if (source.trim() === '') throw new ExpressionError('empty expression', 0);
    node = new Parser(tokenize(source)).parseAll();
    compiled.set(source, node);
  }
  return node;
}

export function evaluateExpression(source: string, scope: ExpressionScope): unknown {
  return evaluateNode(compileExpression(source), scope);
}

/** Every name an expression reads, as a root plus its first member ("args.target" -> ['args', 'target']). */
export function referencedPaths(node: ExpressionNode): { root: string; member?: string }[] {
  const found: { root: string; member?: string }[] = [];
  const visit = (n: ExpressionNode): void => {
    switch (n.kind) {
      case 'name': found.push({ root: n.name }); return;
      case 'member':
        if (n.object.kind === 'name' && !n.computed) {
          found.push({ root: n.object.name, member: String((n.property as { value: unknown }).value) });
        } else {
          visit(n.object);
        }
        if (n.computed) visit(n.property);
        return;
      case 'call': n.args.forEach(visit); return;
      case 'unary': visit(n.operand); return;
      case 'binary': visit(n.left); visit(n.right); return;
      case 'conditional': visit(n.test); visit(n.then); visit(n.otherwise); return;
      case 'literal': return;
    }
  };
  visit(node);
  return found;
}

// ---- templates -------------------------------------------------------------------------------

type TemplatePart = { text: string } | { expression: string; offset: number };

const TEMPLATE_PATTERN = /\{\{([\s\S]*?)\}\}/g;

export function templateParts(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(TEMPLATE_PATTERN)) {
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    parts.push({ expression: match[1]!, offset: match.index + 2 });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

/** Expressions inside a template, for load-time checking. */
export function templateExpressions(template: string): string[] {
  return templateParts(template).flatMap((p) => ('expression' in p ? [p.expression] : []));
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderTemplate(template: string, scope: ExpressionScope): string {
  return templateParts(template)
    .map((p) => ('text' in p ? p.text : formatValue(evaluateExpression(p.expression, scope))))
    .join('');
}

/**
 * Resolves a value written in a model: "$expr" is an expression ("$$" escapes a literal "$"),
 * a string that is exactly one "{{expr}}" keeps the expression's type, other strings with "{{ }}" are
 * templates, arrays and objects resolve member by member, and everything else is a constant.
 */
export function resolveValue(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('$$')) return value.slice(1);
    if (value.startsWith('$')) return evaluateExpression(value.slice(1), scope);
    const parts = templateParts(value);
    if (parts.length === 1 && 'expression' in parts[0]!) return evaluateExpression(parts[0].expression, scope);
    return parts.length === 0 ? value : renderTemplate(value, scope);
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, scope)]));
  }
  return value;
}

/** The expressions a model value contains, so the loader can check them before anything runs. */
export function expressionsInValue(value: unknown): string[] {
  if (typeof value === 'string') {
    if (value.startsWith('$$')) return [];
    if (value.startsWith('$')) return [value.slice(1)];
    return templateExpressions(value);
  }
  if (Array.isArray(value)) return value.flatMap(expressionsInValue);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressionsInValue);
  return [];
}

/** Is this model value computed at run time (so its type can only be checked then)? */
export function isDynamicValue(value: unknown): boolean {
  return expressionsInValue(value).length > 0;
}
