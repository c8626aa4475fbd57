// The form model built from real tool schemas (test/fixtures/schemas): kinds, labels, constraints,
// defaults, summaries, and that odd schemas degrade to JSON fields instead of throwing.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANY_KEY, buildFormModel, defaultArguments, isFlatSchema, summarizeSchema } from '../../src/core/forms/index.js';
import { as, field, schemaOf } from '../fixtures/schemas/load.js';

describe('buildFormModel on zod schemas from the MCP SDK', () => {
  it('thermostat: number bounds, enum default, optional integer with exclusive minimum', () => {
    const model = buildFormModel(schemaOf('thermostat-set-temperature'));
    assert.equal(model.kind, 'object');
    assert.deepEqual(model.path, []);
    const target = as(field(model, 'target'), 'number');
    assert.equal(target.required, true);
    assert.equal(target.label, 'Target');
    assert.equal(target.description, 'Target temperature in °C');
    assert.deepEqual(target.constraints, { minimum: 5, maximum: 35 });
    const mode = as(field(model, 'mode'), 'enum');
    assert.deepEqual(mode.options.map((o) => o.value), ['heat', 'cool', 'auto']);
    assert.equal(mode.default, 'auto');
    assert.equal(mode.required, false);
    const hold = as(field(model, 'hold_minutes'), 'integer');
    assert.equal(hold.label, 'Hold minutes');
    assert.deepEqual(hold.constraints, { exclusiveMinimum: 0, maximum: 1440 });
    assert.equal('default' in hold, false);
  });

  it('3D printer: string pattern, nested object with its own required list, array of e-mails', () => {
    const model = buildFormModel(schemaOf('printer-start-print'));
    assert.deepEqual(as(field(model, 'file'), 'string').constraints, { minLength: 1, pattern: '\\.gcode$' });
    const temps = as(field(model, 'temperatures'), 'object');
    assert.equal(temps.required, true);
    assert.equal(temps.description, 'Temperature overrides');
    const nozzle = as(field(model, 'temperatures.nozzle'), 'integer');
    assert.deepEqual(nozzle.path, ['temperatures', 'nozzle']);
    assert.equal(nozzle.required, true);
    const bed = field(model, 'temperatures.bed');
    assert.equal(bed.required, false);
    assert.equal(bed.default, 60);
    const notify = as(field(model, 'notify'), 'array');
    assert.deepEqual(notify.constraints, { maxItems: 5 });
    const item = as(notify.items, 'string');
    assert.deepEqual(item.path, ['notify', ANY_KEY]);
    assert.equal(item.label, 'Item');
    assert.equal(item.constraints.format, 'email');
    assert.equal(as(field(model, 'supports'), 'boolean').default, false);
  });

  it('light (zod union): a variant discriminated by mode, and nullable collapsed from anyOf null', () => {
    const model = buildFormModel(schemaOf('light-set-color-zod'));
    const color = as(field(model, 'color'), 'variant');
    assert.equal(color.discriminator, 'mode');
    assert.deepEqual(color.options.map((o) => o.label), ['rgb', 'temperature', 'scene']);
    for (const option of color.options) assert.deepEqual(option.field.path, ['color']);
    const rgb = as(color.options[0]!.field, 'object');
    assert.deepEqual(rgb.properties.map((p) => p.name), ['mode', 'r', 'g', 'b']);
    assert.deepEqual(as(rgb.properties[1]!, 'integer').constraints, { minimum: 0, maximum: 255 });
    const brightness = as(field(model, 'brightness'), 'number');
    assert.equal(brightness.nullable, true);
    assert.equal(brightness.required, true);
    assert.equal(brightness.description, 'Brightness in %, null keeps current');
    assert.deepEqual(brightness.constraints, { minimum: 0, maximum: 100 });
  });

  it('scheduler: formats, array of objects, record as key/value editor, anyOf of literals as enum', () => {
    const model = buildFormModel(schemaOf('scheduler-schedule'));
    assert.equal(as(field(model, 'at'), 'string').constraints.format, 'date-time');
    assert.equal(as(field(model, 'id'), 'string').constraints.format, 'uuid');
    assert.equal(as(field(model, 'webhook'), 'string').constraints.format, 'uri');
    const steps = as(field(model, 'steps'), 'array');
    assert.deepEqual(steps.constraints, { minItems: 1, maxItems: 20 });
    const step = as(steps.items, 'object');
    assert.deepEqual(step.properties.map((p) => [p.path.join('/'), p.kind, p.required]), [
      ['steps/*/action', 'enum', true],
      ['steps/*/delay_s', 'number', false],
    ]);
    const tags = as(field(model, 'tags'), 'object');
    assert.deepEqual(tags.properties, []);
    assert.equal(tags.additional?.kind, 'string');
    assert.deepEqual(tags.additional?.path, ['tags', ANY_KEY]);
    const repeat = as(field(model, 'repeat'), 'enum');
    assert.deepEqual(repeat.options.map((o) => o.value), ['daily', 'weekly']);
    assert.deepEqual(as(field(model, 'priority'), 'number').constraints, { exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 0.5 });
  });

  it('zod 3 output: type ["string","null"] is a nullable string, additionalProperties false adds no editor', () => {
    const model = buildFormModel(schemaOf('greet-zod3'));
    assert.equal(model.additional, undefined);
    const a = as(field(model, 'meta.a'), 'string');
    assert.equal(a.nullable, true);
    assert.equal(a.required, true);
  });

  it('recursive zod schema ($ref into definitions): expands once, recursion becomes JSON', () => {
    const model = buildFormModel(schemaOf('gateway-create-rule-recursive'));
    const when = as(field(model, 'when'), 'object');
    assert.equal(when.label, 'Condition');
    assert.deepEqual(when.properties.map((p) => p.kind), ['string', 'enum', 'number', 'json']);
    assert.match(as(field(model, 'when.any'), 'json').reason, /Recursive/);
    assert.equal(as(field(model, 'name'), 'string').label, 'Rule name');
    const then = as(field(model, 'then'), 'variant');
    assert.equal(then.discriminator, 'kind');
    assert.equal(as(field(as(then.options[1]!.field, 'object'), 'arguments'), 'json').jsonType, 'object');
    assert.equal(as(field(model, 'tuple'), 'json').reason, 'Fixed-length tuple');
    assert.deepEqual(as(field(model, 'level'), 'enum').options.map((o) => o.value), [1, 2, 3]);
  });

  it('a tool without arguments is an empty object', () => {
    const model = buildFormModel(schemaOf('no-arguments'));
    assert.deepEqual(model.properties, []);
    assert.equal(model.additional, undefined);
  });
});

describe('buildFormModel on hand-written device schemas', () => {
  it('2020-12 light: oneOf of $refs labelled by their titles; oneOf of consts becomes a labelled enum', () => {
    const model = buildFormModel(schemaOf('light-set-color-oneof'));
    const color = as(field(model, 'color'), 'variant');
    assert.equal(color.label, 'Colour');
    assert.deepEqual(color.options.map((o) => o.label), ['RGB', 'Hue / saturation', 'White']);
    assert.equal(color.discriminator, 'mode');
    const red = as(field(as(color.options[0]!.field, 'object'), 'r'), 'integer');
    assert.equal(red.label, 'Red'); // the title next to the $ref wins over the shared definition
    assert.deepEqual(red.constraints, { minimum: 0, maximum: 255 });
    const effect = as(field(model, 'effect'), 'enum');
    assert.deepEqual(effect.options, [
      { value: 'none', label: 'None' },
      { value: 'breathe', label: 'Breathing' },
      { value: 'rainbow', label: 'Rainbow cycle', description: 'Ignores the colour' },
    ]);
    assert.equal(effect.default, 'none');
    const transition = as(field(model, 'transition'), 'number');
    assert.equal(transition.nullable, true);
    assert.equal(transition.default, null);
  });

  it('pydantic valve: anyOf [$ref, null] is a nullable object; enum items through $ref', () => {
    const model = buildFormModel(schemaOf('pydantic-valve-configure'));
    assert.equal(field(model, 'valve_id').label, 'Valve Id');
    const schedule = as(field(model, 'schedule'), 'object');
    assert.equal(schedule.nullable, true);
    assert.equal(schedule.description, 'Optional watering window');
    assert.deepEqual(schedule.properties.map((p) => p.name), ['start', 'minutes', 'days']);
    const days = as(field(model, 'schedule.days'), 'array');
    assert.equal(as(days.items, 'enum').options.length, 7);
    const zones = as(field(model, 'zones'), 'array');
    assert.deepEqual(zones.constraints, { minItems: 1, uniqueItems: true });
    const label = as(field(model, 'label'), 'string');
    assert.equal(label.nullable, true);
    assert.deepEqual(label.constraints, { maxLength: 32 });
  });

  it('a 2500-value enum stays an enum with every option', () => {
    const model = buildFormModel(schemaOf('zigbee-identify-huge-enum'));
    const endpoint = as(field(model, 'endpoint'), 'enum');
    assert.equal(endpoint.options.length, 2500);
    assert.equal(endpoint.options[0]?.value, '0x1000/ep1');
  });
});

describe('buildFormModel never throws on hostile schemas', () => {
  it('reference cycles, ref-only loops, missing and remote refs become JSON fields', () => {
    const model = buildFormModel(schemaOf('hostile-cycles'));
    assert.match(as(field(model, 'node.next'), 'json').reason, /Recursive schema \(#\/definitions\/Node\)/);
    assert.match(as(field(model, 'ping'), 'json').reason, /Recursive/);
    assert.match(as(field(model, 'missing'), 'json').reason, /Unresolvable reference #\/definitions\/DoesNotExist/);
    assert.match(as(field(model, 'remote'), 'json').reason, /Unresolvable reference https:/);
    // "#" is the root: expanded once, then the inner "self" is recursive
    assert.equal(field(model, 'self').kind, 'object');
    assert.equal(field(model, 'self.self').kind, 'json');
  });

  it('boolean schemas, missing and unknown types, allOf, multi-type, undeclared required keys', () => {
    const model = buildFormModel(schemaOf('hostile-odd-keywords'));
    const kinds = Object.fromEntries(model.properties.map((p) => [p.name, p.kind]));
    assert.deepEqual(kinds, {
      anything: 'json', untyped: 'json', implied_number: 'number', implied_object: 'object',
      number_or_text: 'variant', only_null: 'enum', weird_type: 'json', merged: 'object',
      one_required_of: 'object', not_a_schema: 'json', x_unit: 'string', ghost: 'json',
    });
    assert.equal('forbidden' in kinds, false, 'a property whose schema is false cannot be filled in');
    assert.deepEqual(as(field(model, 'number_or_text'), 'variant').options.map((o) => o.field.kind), ['number', 'string']);
    assert.deepEqual(as(field(model, 'merged'), 'object').properties.map((p) => [p.name, p.required]), [['x', true], ['y', true]]);
    assert.deepEqual(as(field(model, 'only_null'), 'enum').options, [{ value: null, label: 'null' }]);
    assert.equal(field(model, 'ghost').required, true);
    assert.match(as(field(model, 'weird_type'), 'json').reason, /Unknown type "decimal"/);
  });

  it('non-object roots still give an object field, with a free-form value editor', () => {
    for (const schema of [schemaOf('hostile-not-object'), true, false, null, 42, 'string', [], undefined]) {
      const model = buildFormModel(schema);
      assert.equal(model.kind, 'object', JSON.stringify(schema));
      assert.equal(model.additional?.kind, 'json');
    }
  });

  it('every fixture builds, summarizes and prefills without throwing', () => {
    const dir = join(__dirname, '../fixtures/schemas');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 14);
    for (const file of files) {
      const schema = schemaOf(file.replace(/\.json$/, ''));
      assert.equal(buildFormModel(schema).kind, 'object', file);
      assert.equal(typeof summarizeSchema(schema), 'string', file);
      assert.equal(typeof defaultArguments(schema), 'object', file);
    }
  });

  it('deep nesting stops at a JSON field instead of recursing without bound', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 200; i++) schema = { type: 'object', properties: { child: schema } };
    let current = buildFormModel(schema);
    let depth = 0;
    while (current.kind === 'object' && current.properties[0]) {
      const next = current.properties[0];
      if (next.kind !== 'object') {
        assert.equal(next.kind, 'json');
        break;
      }
      current = next;
      depth++;
    }
    assert.ok(depth > 10 && depth < 30, `stopped at depth ${depth}`);
  });
});

describe('defaultArguments', () => {
  it('takes defaults, and in-range placeholders for required fields only', () => {
    assert.deepEqual(defaultArguments(schemaOf('thermostat-set-temperature')), { target: 5, mode: 'auto' });
    assert.deepEqual(defaultArguments(schemaOf('printer-start-print')), {
      file: '', material: 'PLA', quality: 'normal', temperatures: { nozzle: 180, bed: 60 }, copies: 1, supports: false,
    });
  });

  it('required nullable fields start as null, variants as their first option, minItems as placeholder items', () => {
    assert.deepEqual(defaultArguments(schemaOf('light-set-color-zod')), { color: { mode: 'rgb', r: 0, g: 0, b: 0 }, brightness: null });
    assert.deepEqual(defaultArguments(schemaOf('scheduler-schedule')), { at: '', steps: [{ action: 'on', delay_s: 0 }] });
    assert.deepEqual(defaultArguments(schemaOf('pydantic-valve-configure')), {
      valve_id: '', open_percent: 100, schedule: null, zones: ['front'], label: null,
    });
  });

  it('free-form required JSON gets the empty value of its type; no arguments gives {}', () => {
    assert.deepEqual(defaultArguments({ type: 'object', properties: { cfg: { type: 'object', additionalProperties: true } }, required: ['cfg'] }), { cfg: {} });
    assert.deepEqual(defaultArguments(schemaOf('no-arguments')), {});
    assert.deepEqual(defaultArguments(schemaOf('hostile-cycles')), {});
  });

  it('returns copies: editing the result does not change the schema default', () => {
    const schema = { type: 'object', properties: { opts: { type: 'object', default: { a: 1 } } } };
    const first = defaultArguments(schema) as { opts: { a: number } };
    first.opts.a = 2;
    assert.deepEqual(defaultArguments(schema), { opts: { a: 1 } });
  });
});

describe('isFlatSchema', () => {
  it('is true only when every parameter is a scalar or an enum', () => {
    assert.equal(isFlatSchema(schemaOf('thermostat-set-temperature')), true);
    assert.equal(isFlatSchema(schemaOf('zigbee-identify-huge-enum')), true);
    assert.equal(isFlatSchema(schemaOf('no-arguments')), true);
    assert.equal(isFlatSchema(schemaOf('printer-start-print')), false); // nested object and array
    assert.equal(isFlatSchema(schemaOf('light-set-color-zod')), false); // variant
    assert.equal(isFlatSchema(schemaOf('hostile-not-object')), false);
  });
});

describe('summarizeSchema', () => {
  it('one line per parameter with type, required, range, default and description', () => {
    assert.equal(summarizeSchema(schemaOf('thermostat-set-temperature')), [
      'target: number (required, 5–35) — Target temperature in °C',
      'mode: "heat" | "cool" | "auto" (default auto) — HVAC mode',
      'hold_minutes: integer (> 0, ≤ 1440) — Keep the set-point for this many minutes',
    ].join('\n'));
  });

  it('formats, lists, nullables, variants, maps', () => {
    const lines = summarizeSchema(schemaOf('scheduler-schedule')).split('\n');
    assert.equal(lines[0], 'at: date-time (required) — When to run (ISO 8601)');
    assert.equal(lines[3], 'steps: object[] (required, 1–20 items)');
    assert.equal(lines[6], 'priority: number (> 0, < 10, multiple of 0.5)');
    assert.match(summarizeSchema(schemaOf('light-set-color-zod')), /^brightness: number \| null \(required, 0–100\) — Brightness/m);
    assert.match(summarizeSchema(schemaOf('light-set-color-oneof')), /^color: RGB \| Hue \/ saturation \| White \(required\)/m);
    assert.match(summarizeSchema(schemaOf('printer-start-print')), /^notify: email\[\] \(≤ 5 items\)/m);
  });

  it('drops zod safe-integer bounds, shortens huge enums, says when there is nothing', () => {
    assert.match(summarizeSchema(schemaOf('light-set-color-zod')), /^transition_ms: integer \(≥ 0\)$/m);
    const huge = summarizeSchema(schemaOf('zigbee-identify-huge-enum')).split('\n')[0] ?? '';
    assert.match(huge, /… \(2500 values\)/);
    assert.ok(huge.length < 200);
    assert.equal(summarizeSchema(schemaOf('no-arguments')), 'No parameters');
  });
});
