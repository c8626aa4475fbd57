// Checks the schema cannot express: names that must refer to something, duplicates, expressions that
// must parse and read only what exists, and constants that must fit the attribute they are written to.
import { attributeValueProblem } from './attribute-values.js';
import { checkBindings } from './binding-check.js';
import type { ReadableNames } from './readable-names.js';
import { compileExpression, ExpressionError, expressionsInValue, isDynamicValue, referencedPaths, SCOPE_ROOTS, templateExpressions } from './expression.js';
import { findAttribute, SET_ATTRIBUTE_TOOL, type AttributeAssignments, type DeviceModel, type FunctionModel } from './model.js';
import { modelAjv, type PathIssue, type PathSegment } from './schema-check.js';

const RESERVED_ATTRIBUTE_NAMES = new Set<string>([...SCOPE_ROOTS, 'true', 'false', 'null', 'and', 'or', 'not']);
const SERVER_NAME_PLACEHOLDERS = new Set(['{n}', '{id}']);


class Checker {
  readonly issues: PathIssue[] = [];
  private readonly attributeNames: Set<string>;

  constructor(private readonly model: DeviceModel) {
    this.attributeNames = new Set(Object.keys(model.attributes));
  }

  private report(path: PathSegment[], message: string): void {
    this.issues.push({ path, message });
  }

  run(): PathIssue[] {
    this.checkServerName();
    this.checkAttributes();
    this.checkFunctions();
    this.checkEvents();
    this.checkPrompts();
    checkBindings(this.model, {
      report: (path, message) => this.report(path, message),
      checkExpression: (source, path, names) => this.checkExpression(source, path, names),
      checkTemplate: (template, path, names) => this.checkTemplate(template, path, names),
      checkValue: (value, path, names) => this.checkValue(value, path, names),
    });
    return this.issues;
  }

  private checkServerName(): void {
    for (const placeholder of this.model.serverName.match(/\{[^}]*\}/g) ?? []) {
      if (!SERVER_NAME_PLACEHOLDERS.has(placeholder)) this.report(['serverName'], `unknown placeholder ${placeholder}; use {n} (instance number) or {id} (server-id)`);
    }
    if (this.model.serverName.startsWith('/')) this.report(['serverName'], "must not start with '/'");
  }

  private checkAttributes(): void {
    for (const [name, attribute] of Object.entries(this.model.attributes)) {
      const at = (...rest: PathSegment[]): PathSegment[] => ['attributes', name, ...rest];
      if (RESERVED_ATTRIBUTE_NAMES.has(name)) this.report(at(), `"${name}" is reserved in expressions; choose another name`);
      const numeric = attribute.type === 'number' || attribute.type === 'integer';
      if (attribute.min !== undefined && attribute.max !== undefined && attribute.min > attribute.max) this.report(at('min'), `is greater than max (${attribute.max})`);
      // A proxied attribute may leave out `initial` (the schema allows it only then): it is null until a message comes.
      const problem = attribute.initial === undefined && attribute.source ? undefined : attributeValueProblem(attribute, attribute.initial);
      if (problem) this.report(at('initial'), problem);
      if (attribute.values && attribute.type !== 'enum') this.report(at('values'), 'only enum attributes list values');
      for (const key of ['min', 'max', 'decimals', 'drift', 'noise', 'periodic'] as const) {
        if (attribute[key] !== undefined && !numeric) this.report(at(key), `only number and integer attributes have ${key}`);
      }
      if (typeof attribute.drift?.toward === 'string') {
        this.checkExpression(attribute.drift.toward, at('drift', 'toward'), { attributes: this.attributeNames });
      }
    }
  }

  private checkFunctions(): void {
    const functionNames = new Set(this.model.functions.map((f) => f.name));
    this.checkDuplicates('functions', this.model.functions.map((f) => f.name));
    const hasWritable = Object.values(this.model.attributes).some((a) => a.writable);
    this.model.functions.forEach((fn, index) => {
      const at = (...rest: PathSegment[]): PathSegment[] => ['functions', index, ...rest];
      if (hasWritable && fn.name === SET_ATTRIBUTE_TOOL) this.report(at('name'), `"${SET_ATTRIBUTE_TOOL}" is generated for writable attributes; choose another name`);
      this.checkSchemaCompiles(fn.parameters, at('parameters'));
      this.checkSchemaCompiles(fn.outputSchema, at('outputSchema'));
      if (fn.outputSchema && fn.returns?.structured === undefined) this.report(at('returns', 'structured'), 'is required when outputSchema is given');
      const declared = Object.keys((fn.parameters?.properties as object | undefined) ?? {});
      const names: ReadableNames = { attributes: this.attributeNames, args: new Set(declared) };
      // After a confirmed publish, effects and the result may use what the device sent back.
      const asked: ReadableNames = { ...names, ...(fn.elicit ? { elicited: true } : {}) };
      const afterCall: ReadableNames = { ...asked, ...(fn.publish?.confirm ? { received: true } : {}), ...(fn.sample ? { sampled: true } : {}) };
      if (fn.elicit) {
        this.checkTemplate(fn.elicit.message, at('elicit', 'message'), names);
        this.checkSchemaCompiles(fn.elicit.schema, at('elicit', 'schema'));
      }
      if (fn.sample) this.checkTemplate(fn.sample.prompt, at('sample', 'prompt'), asked);
      if (fn.availableWhen) this.checkExpression(fn.availableWhen, at('availableWhen'), names);
      fn.errors?.forEach((errorCase, i) => {
        this.checkExpression(errorCase.when, at('errors', i, 'when'), names);
        this.checkTemplate(errorCase.message, at('errors', i, 'message'), names);
      });
      if (fn.failureMessage) this.checkTemplate(fn.failureMessage, at('failureMessage'), names);
      if (typeof fn.latencyMs === 'object' && fn.latencyMs.min > fn.latencyMs.max) this.report(at('latencyMs', 'min'), `is greater than max (${fn.latencyMs.max})`);
      if (typeof fn.latencyMs === 'string') {
        if (isDynamicValue(fn.latencyMs)) this.checkValue(fn.latencyMs, at('latencyMs'), names);
        else this.report(at('latencyMs'), 'expected a number, {min, max} or an expression such as "$args.seconds * 1000"');
      }
      this.checkProgress(fn, at, names);
      this.checkAssignments(fn.onStart?.set, at('onStart', 'set'), names);
      this.checkAssignments(fn.set, at('set'), afterCall);
      this.checkAssignments(fn.onCancel?.set, at('onCancel', 'set'), names);
      fn.cancels?.forEach((target, i) => {
        if (!functionNames.has(target)) this.report(at('cancels', i), `unknown function "${target}"`);
      });
      if (fn.returns) this.checkValue(fn.returns, at('returns'), afterCall);
    });
  }

  private checkProgress(fn: FunctionModel, at: (...rest: PathSegment[]) => PathSegment[], names: ReadableNames): void {
    if (!fn.progress) return;
    if (fn.latencyMs === undefined) this.report(at('progress'), 'needs latencyMs: progress is reported while the call takes time');
    if (fn.progress.message) this.checkTemplate(fn.progress.message, at('progress', 'message'), { ...names, progress: true });
    const target = fn.progress.attribute;
    if (target !== undefined) {
      const attribute = findAttribute(this.model, target);
      if (!attribute) this.report(at('progress', 'attribute'), `unknown attribute "${target}"`);
      else if (attribute.type !== 'number' && attribute.type !== 'integer') this.report(at('progress', 'attribute'), `"${target}" must be a number or integer attribute`);
    }
  }

  private checkAssignments(assignments: AttributeAssignments | undefined, path: PathSegment[], names: ReadableNames): void {
    for (const [name, value] of Object.entries(assignments ?? {})) {
      const attribute = findAttribute(this.model, name);
      if (!attribute) {
        this.report([...path, name], `unknown attribute "${name}"${this.attributeNames.size ? ` (attributes: ${[...this.attributeNames].join(', ')})` : ''}`);
        continue;
      }
      if (isDynamicValue(value)) {
        this.checkValue(value, [...path, name], names);
      } else {
        const problem = attributeValueProblem(attribute, value);
        if (problem) this.report([...path, name], problem);
      }
    }
  }

  private checkEvents(): void {
    this.checkDuplicates('events', this.model.events.map((e) => e.name));
    this.model.events.forEach((event, index) => {
      const names: ReadableNames = { attributes: this.attributeNames, ...(event.source ? { received: true } : {}) };
      if (event.when) this.checkExpression(event.when, ['events', index, 'when'], names);
      if (event.rearmWhen) {
        if (!event.when) this.report(['events', index, 'rearmWhen'], "only makes sense with 'when'");
        this.checkExpression(event.rearmWhen, ['events', index, 'rearmWhen'], names);
      }
      this.checkTemplate(event.message, ['events', index, 'message'], names);
      if (event.data) this.checkValue(event.data, ['events', index, 'data'], names);
    });
  }

  private checkPrompts(): void {
    this.checkDuplicates('prompts', this.model.prompts.map((p) => p.name));
    this.model.prompts.forEach((prompt, index) => {
      const names: ReadableNames = { attributes: this.attributeNames, args: new Set((prompt.arguments ?? []).map((a) => a.name)) };
      prompt.messages.forEach((message, i) => this.checkTemplate(message.text, ['prompts', index, 'messages', i, 'text'], names));
    });
  }

  private checkDuplicates(section: 'functions' | 'events' | 'prompts', names: string[]): void {
    const firstIndex = new Map<string, number>();
    names.forEach((name, index) => {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, index);
      else this.report([section, index, 'name'], `duplicate name "${name}" (also ${section}[${first}])`);
    });
  }

  private checkSchemaCompiles(jsonSchema: object | undefined, path: PathSegment[]): void {
    if (!jsonSchema) return;
    try {
      modelAjv.compile(jsonSchema);
    } catch (error) {
      this.report(path, `is not a usable JSON Schema: ${(error as Error).message}`);
    } finally {
      modelAjv.removeSchema(jsonSchema); // only a check: do not let every load grow ajv's cache
    }
  }

  private checkValue(value: unknown, path: PathSegment[], names: ReadableNames): void {
    for (const expression of expressionsInValue(value)) this.checkExpression(expression, path, names);
  }

  private checkTemplate(template: string, path: PathSegment[], names: ReadableNames): void {
    for (const expression of templateExpressions(template)) this.checkExpression(expression, path, names);
  }

  private checkExpression(source: string, path: PathSegment[], names: ReadableNames): void {
    let node;
    try {
      node = compileExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      this.report(path, `bad expression "${source.trim()}": ${error.message} at character ${error.position + 1}`);
      return;
    }
    for (const ref of referencedPaths(node)) {
      const problem = this.referenceProblem(ref, names);
      if (problem) this.report(path, `${problem} in "${source.trim()}"`);
    }
  }

  private referenceProblem({ root, member }: { root: string; member?: string }, names: ReadableNames): string | undefined {
    switch (root) {
      case 'args':
        if (!names.args) return 'no arguments exist here';
        if (member !== undefined && !names.args.has(member)) return `unknown argument "${member}"${names.args.size ? ` (declared: ${[...names.args].join(', ')})` : ' (none declared)'}`;
        return undefined;
      case 'attributes':
        return member !== undefined && !names.attributes.has(member) ? `unknown attribute "${member}"` : undefined;
      case 'instance':
        return member !== undefined && !['n', 'id', 'serverName'].includes(member) ? `instance has n, id and serverName, not "${member}"` : undefined;
      case 'payload':
      case 'topic':
        return names.received ? undefined : `${root} is only available where a message is received (publish.confirm.when, a confirmed function's set and returns, events with a source)`;
      case 'elicited':
        return names.elicited ? undefined : "elicited is only available after the function's elicit (in sample.prompt, set and returns)";
      case 'sampled':
        if (!names.sampled) return "sampled is only available after the function's sample (in set and returns)";
        return member !== undefined && !['text', 'model'].includes(member) ? `sampled has text and model, not "${member}"` : undefined;
      case 'progress':
        if (!names.progress) return 'progress is only available in progress.message';
        return member !== undefined && !['percent', 'step', 'steps'].includes(member) ? `progress has percent, step and steps, not "${member}"` : undefined;
      default:
        return names.attributes.has(root) ? undefined : `unknown attribute "${root}"`;
    }
  }
}

export function checkSemantics(model: DeviceModel): PathIssue[] {
  return new Checker(model).run();
}
