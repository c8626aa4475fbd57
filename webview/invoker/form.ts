// Renders a FieldModel as a form over one arguments document. Fields read their value at their concrete
// path (array indexes and map keys filled in) and write single paths back, so keys the form does not know
// survive. Value edits keep focus; structural edits (add/remove, variant switch, null toggle) re-render.
import type { FieldModel, ObjectField, ValidationIssue, VariantField } from '../../src/core/forms/types.js';
import { initialValue } from '../../src/core/forms/defaults.js';
import { matchVariant, readValue } from '../../src/core/forms/values.js';
import { h, icon } from '../shared/dom.js';
import { prettyJson } from '../shared/format.js';

export interface FormHost {
  document(): Record<string, unknown>;
  /** `structural`: the set of fields changed, re-render the form. */
  write(path: string[], value: unknown, structural: boolean): void;
}

const NUMBER_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class FormView {
  readonly element = h('div', { className: 'form' });
  private readonly errorSlots = new Map<string, HTMLElement>();

  constructor(private readonly host: FormHost) {}

  render(model: ObjectField): void {
    this.errorSlots.clear();
    const rootErrors = h('div', { className: 'field-error', attrs: { role: 'alert' } });
    this.errorSlots.set(pathKey([]), rootErrors);
    const body = model.properties.length === 0 && !model.additional
      ? h('p', { className: 'muted' }, 'This tool takes no arguments.')
      : this.objectBody(model, []);
    this.element.replaceChildren(rootErrors, body);
  }

  /** Shows each issue at its field, or at the closest enclosing field that is on screen. */
  showIssues(issues: readonly ValidationIssue[]): void {
    for (const slot of this.errorSlots.values()) slot.replaceChildren();
    for (const issue of issues) {
      let path = issue.path;
      while (path.length > 0 && !this.errorSlots.has(pathKey(path))) path = path.slice(0, -1);
      const slot = this.errorSlots.get(pathKey(path));
      slot?.append(h('div', {}, icon('error'), ` ${issue.message}`));
    }
  }

  private value(path: string[]): unknown {
    return readValue(this.host.document(), path);
  }

  private field(field: FieldModel, path: string[], options: { bare?: boolean } = {}): HTMLElement {
    const wrapper = h('div', { className: `field field-${field.kind}`, attrs: { 'data-path': path.join('/') } });
    const error = h('div', { className: 'field-error', attrs: { role: 'alert' } });
    this.errorSlots.set(pathKey(path), error);
    const value = this.value(path);
    if (!options.bare) wrapper.append(this.label(field, path, value));
    if (field.nullable && value === null) {
      wrapper.append(h('div', { className: 'muted' }, 'null'));
    } else {
      wrapper.append(this.control(field, path, value));
    }
    if (field.description && !options.bare) wrapper.append(h('div', { className: 'field-description' }, field.description));
    wrapper.append(error);
    return wrapper;
  }

  private label(field: FieldModel, path: string[], value: unknown): HTMLElement {
    const label = h('div', { className: 'field-label' }, h('span', { className: 'field-name' }, field.label || field.name || 'Value'));
    if (field.required) label.append(h('span', { className: 'required', title: 'required' }, ' *'));
    const hint = typeHint(field);
    if (hint) label.append(h('span', { className: 'type-hint' }, hint));
    if ('default' in field) label.append(h('span', { className: 'type-hint' }, `default ${short(field.default)}`));
    if (field.nullable) {
      const toggle = h('vscode-checkbox', { className: 'null-toggle', attrs: { label: 'null' } });
      toggle.checked = value === null;
      toggle.addEventListener('change', () => this.host.write(path, toggle.checked ? null : initialValue({ ...field, nullable: false }), true));
      label.append(toggle);
    }
    return label;
  }

  private control(field: FieldModel, path: string[], value: unknown): HTMLElement {
    switch (field.kind) {
      case 'string': return this.stringControl(field.required, path, value, placeholder(field));
      case 'number': case 'integer': return this.numberControl(path, value, field.kind);
      case 'boolean': return this.booleanControl(field.required, path, value);
      case 'enum': return this.choice(field.required, path, field.options.map((o) => o.label), field.options.findIndex((o) => same(o.value, value)), value !== undefined, (i) => field.options[i]?.value, false);
      case 'object': return this.objectControl(field, path, value);
      case 'array': return this.arrayControl(field, path, value);
      case 'variant': return this.variantControl(field, path, value);
      case 'json': return this.jsonControl(field.required, path, value, field.reason);
    }
  }

  private stringControl(required: boolean, path: string[], value: unknown, hint: string): HTMLElement {
    const input = h('vscode-textfield', { attrs: { 'aria-label': path.join('.') || 'value' } });
    input.value = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
    if (hint) input.placeholder = hint;
    input.addEventListener('input', () => this.host.write(path, input.value === '' && !required ? undefined : input.value, false));
    return input;
  }

  private numberControl(path: string[], value: unknown, kind: 'number' | 'integer'): HTMLElement {
    const input = h('vscode-textfield', { attrs: { 'aria-label': path.join('.') || 'value', inputmode: kind === 'integer' ? 'numeric' : 'decimal' } });
    input.value = value === undefined || value === null ? '' : String(value);
    input.placeholder = kind === 'integer' ? 'whole number' : 'number';
    input.addEventListener('input', () => {
      const text = input.value.trim();
      // Text that is not a number is kept as text: the host's validator then says what is wrong with it.
      this.host.write(path, text === '' ? undefined : NUMBER_SYNTAX.test(text) ? Number(text) : input.value, false);
    });
    return input;
  }

  private booleanControl(required: boolean, path: string[], value: unknown): HTMLElement {
    if (!required) return this.choice(false, path, ['true', 'false'], value === true ? 0 : value === false ? 1 : -1, value !== undefined, (i) => i === 0, false);
    const box = h('vscode-checkbox', { attrs: { 'aria-label': path.join('.') } });
    box.checked = value === true;
    box.addEventListener('change', () => this.host.write(path, box.checked, false));
    return box;
  }

  /** A select over `labels`; optional fields get a "(not set)" entry that removes the key. */
  private choice(required: boolean, path: string[], labels: string[], selected: number, present: boolean, valueAt: (i: number) => unknown, structural: boolean): HTMLElement {
    const select = h('vscode-single-select', { attrs: { 'aria-label': path.join('.') || 'value' } });
    if (!required) select.append(h('vscode-option', { attrs: { value: '-1', selected: !present || selected < 0 } }, '(not set)'));
    labels.forEach((label, i) => select.append(h('vscode-option', { attrs: { value: String(i), selected: present && i === selected } }, label)));
    if (required && selected < 0 && labels.length > 0) select.prepend(h('vscode-option', { attrs: { value: '-2', selected: true } }, present ? `(other: ${short(this.value(path))})` : '(choose)'));
    select.addEventListener('change', () => {
      const index = Number(select.value);
      if (index === -2) return;
      this.host.write(path, index < 0 ? undefined : valueAt(index), structural);
    });
    return select;
  }

  private objectBody(field: ObjectField, path: string[]): HTMLElement {
    const body = h('div', { className: 'object-body' });
    for (const property of field.properties) body.append(this.field(property, [...path, property.name]));
    if (field.additional) body.append(this.mapEntries(field, path));
    return body;
  }

  private objectControl(field: ObjectField, path: string[], value: unknown): HTMLElement {
    if (value === undefined) {
      return button(`Add ${field.label || 'value'}`, 'add', () => this.host.write(path, initialValue({ ...field, nullable: false }), true));
    }
    const box = h('div', { className: 'nested' }, this.objectBody(field, path));
    if (!field.required) box.append(button(`Remove ${field.label || 'value'}`, 'trash', () => this.host.write(path, undefined, true), true));
    return box;
  }

  /** Keys beyond the declared properties, each edited with the `additional` template. */
  private mapEntries(field: ObjectField, path: string[]): HTMLElement {
    const template = field.additional as FieldModel;
    const current = this.value(path);
    const declared = new Set(field.properties.map((p) => p.name));
    const keys = current && typeof current === 'object' && !Array.isArray(current) ? Object.keys(current).filter((k) => !declared.has(k)) : [];
    const list = h('div', { className: 'map-entries' });
    for (const key of keys) {
      const keyInput = h('vscode-textfield', { className: 'map-key', attrs: { 'aria-label': `key ${key}` } });
      keyInput.value = key;
      keyInput.addEventListener('change', () => {
        const next = keyInput.value;
        if (next === key || next === '' || declared.has(next)) return;
        const v = this.value([...path, key]);
        this.host.write([...path, key], undefined, false);
        this.host.write([...path, next], v, true);
      });
      list.append(h('div', { className: 'map-entry' },
        keyInput,
        this.field({ ...template, label: '' }, [...path, key], { bare: true }),
        iconButton('Remove entry', 'trash', () => this.host.write([...path, key], undefined, true))));
    }
    list.append(button('Add entry', 'add', () => {
      let n = keys.length + 1;
      while (keys.includes(`key${n}`) || declared.has(`key${n}`)) n++;
      this.host.write([...path, `key${n}`], initialValue(template), true);
    }, true));
    return list;
  }

  private arrayControl(field: Extract<FieldModel, { kind: 'array' }>, path: string[], value: unknown): HTMLElement {
    const items = Array.isArray(value) ? value : [];
    const list = h('div', { className: 'array-items' });
    items.forEach((_item, i) => {
      const itemPath = [...path, String(i)];
      list.append(h('div', { className: 'array-item' },
        h('div', { className: 'array-item-head' }, h('span', { className: 'muted' }, `#${i + 1}`),
          iconButton('Remove item', 'trash', () => this.host.write(itemPath, undefined, true))),
        this.field({ ...field.items, label: '' }, itemPath, { bare: true })));
    });
    const { maxItems, minItems } = field.constraints;
    const add = button('Add item', 'add', () => this.host.write([...path, String(items.length)], initialValue(field.items), true), true);
    if (maxItems !== undefined && items.length >= maxItems) add.setAttribute('disabled', '');
    list.append(add);
    if (minItems !== undefined || maxItems !== undefined) list.append(h('span', { className: 'type-hint' }, `${minItems ?? 0}–${maxItems ?? '∞'} items`));
    return list;
  }

  private variantControl(field: VariantField, path: string[], value: unknown): HTMLElement {
    const box = h('div', { className: 'variant' });
    const chosen = value === undefined ? -1 : matchVariant(field, value);
    box.append(this.choice(field.required, path, field.options.map((o) => o.label), chosen, value !== undefined,
      (i) => initialValue({ ...(field.options[i]?.field as FieldModel), nullable: false }), true));
    const option = field.options[chosen];
    if (option) box.append(h('div', { className: 'nested' }, this.field({ ...option.field, description: undefined, nullable: false } as FieldModel, path, { bare: true })));
    else if (value !== undefined) box.append(this.jsonControl(field.required, path, value, 'The value matches none of the options'));
    return box;
  }

  private jsonControl(required: boolean, path: string[], value: unknown, reason: string): HTMLElement {
    const area = h('vscode-textarea', { className: 'json-input', attrs: { 'aria-label': path.join('.') || 'value', rows: 4 } });
    area.value = value === undefined ? '' : prettyJson(value);
    const problem = h('div', { className: 'field-error' });
    area.addEventListener('input', () => {
      problem.replaceChildren();
      if (area.value.trim() === '') return this.host.write(path, required ? null : undefined, false);
      try {
        this.host.write(path, JSON.parse(area.value), false);
      } catch (e) {
        problem.append(`Not valid JSON: ${(e as Error).message}`);
      }
    });
    return h('div', { className: 'json-field' }, area, h('div', { className: 'field-description' }, `JSON: ${reason}`), problem);
  }
}

function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function placeholder(field: Extract<FieldModel, { kind: 'string' }>): string {
  return field.constraints.format ?? (field.constraints.pattern ? `pattern ${field.constraints.pattern}` : '');
}

/** "number, 5–32", "integer ≥ 1", "string, 1–20 chars": the constraints a user needs while typing. */
export function typeHint(field: FieldModel): string {
  const range = (min?: number, max?: number, exMin?: number, exMax?: number): string => {
    const parts: string[] = [];
    const lo = min !== undefined ? `${min}` : exMin !== undefined ? `>${exMin}` : undefined;
    const hi = max !== undefined ? `${max}` : exMax !== undefined ? `<${exMax}` : undefined;
    if (lo !== undefined && hi !== undefined) parts.push(`${lo}–${hi}`);
    else if (lo !== undefined) parts.push(`≥ ${lo.replace('>', '')}`);
    else if (hi !== undefined) parts.push(`≤ ${hi.replace('<', '')}`);
    return parts.join('');
  };
  switch (field.kind) {
    case 'number': case 'integer': {
      const c = field.constraints;
      const r = range(c.minimum, c.maximum, c.exclusiveMinimum, c.exclusiveMaximum);
      return [field.kind, r, c.multipleOf !== undefined ? `step ${c.multipleOf}` : ''].filter(Boolean).join(', ');
    }
    case 'string': {
      const { minLength, maxLength, format } = field.constraints;
      const len = minLength !== undefined || maxLength !== undefined ? `${minLength ?? 0}–${maxLength ?? '∞'} chars` : '';
      return [format ?? 'string', len].filter(Boolean).join(', ');
    }
    case 'array': return `list of ${field.items.kind}`;
    case 'json': return field.jsonType ?? 'JSON';
    default: return field.kind === 'object' || field.kind === 'variant' ? '' : field.kind;
  }
}

function button(label: string, iconName: string, onClick: () => void, secondary = false): HTMLElement {
  const b = h('vscode-button', { attrs: { icon: iconName, secondary } }, label);
  b.addEventListener('click', onClick);
  return b;
}

function iconButton(label: string, iconName: string, onClick: () => void): HTMLElement {
  const b = h('vscode-button', { title: label, attrs: { icon: iconName, 'icon-only': true, secondary: true, 'aria-label': label } });
  b.addEventListener('click', onClick);
  return b;
}
