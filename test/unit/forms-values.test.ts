// The arguments document shared by the form and the raw-JSON editor: edits by path, round-trips,
// unknown keys kept, absent optional fields left out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildFormModel, coerceInput, createValidator, defaultArguments, matchVariant, parseRawJson, readValue, toRawJson, writeValue,
} from '../../src/core/forms/index.js';
import { as, field, schemaOf } from '../fixtures/schemas/load.js';

describe('arguments document', () => {
  it('form edits and raw JSON round-trip, keeping keys only raw mode knows about', () => {
    const schema = schemaOf('printer-start-print');
    const model = buildFormModel(schema);
    let doc = defaultArguments(schema) as unknown;
    doc = writeValue(doc, ['file'], 'benchy.gcode');
    doc = writeValue(doc, field(model, 'temperatures.nozzle').path, 215);
    // the user switches to raw mode and adds a key the schema does not list
    const raw = toRawJson(doc).replace('"copies": 1', '"copies": 1,\n  "x_firmware_hint": "fast"');
    const parsed = parseRawJson(raw);
    assert.ok('value' in parsed);
    doc = parsed.value;
    // back in the form, another edit leaves the unknown key alone
    doc = writeValue(doc, ['notify'], ['me@example.com']);
    assert.deepEqual(doc, {
      file: 'benchy.gcode', material: 'PLA', quality: 'normal', temperatures: { nozzle: 215, bed: 60 },
      copies: 1, x_firmware_hint: 'fast', supports: false, notify: ['me@example.com'],
    });
    assert.deepEqual(parseRawJson(toRawJson(doc)), { value: doc });
    assert.deepEqual(createValidator(schema)(doc), []); // the SDK's zod objects allow extra keys
  });

  it('clearing an optional field removes its key; the input box agrees', () => {
    const schema = schemaOf('thermostat-set-temperature');
    const hold = field(buildFormModel(schema), 'hold_minutes');
    let doc: unknown = { target: 21, hold_minutes: 30 };
    doc = writeValue(doc, hold.path, coerceInput(hold, '').value);
    assert.deepEqual(doc, { target: 21 });
    assert.equal(toRawJson(doc).includes('hold_minutes'), false);
  });

  it('writes create missing containers and never mutate the input', () => {
    const original = { steps: [{ action: 'on' }] };
    const frozen = JSON.stringify(original);
    const next = writeValue(original, ['steps', '1', 'action'], 'off');
    assert.deepEqual(next, { steps: [{ action: 'on' }, { action: 'off' }] });
    assert.equal(JSON.stringify(original), frozen);
    assert.deepEqual(writeValue({}, ['tags', 'room'], 'kitchen'), { tags: { room: 'kitchen' } });
    assert.deepEqual(writeValue({}, ['list', '2'], 'c'), { list: [null, null, 'c'] });
    assert.deepEqual(writeValue(next, ['steps', '0'], undefined), { steps: [{ action: 'off' }] });
  });

  it('reads by path, undefined when missing', () => {
    const doc = { color: { mode: 'rgb', r: 9 }, steps: [{ action: 'on' }] };
    assert.equal(readValue(doc, ['color', 'r']), 9);
    assert.equal(readValue(doc, ['steps', '0', 'action']), 'on');
    assert.equal(readValue(doc, ['steps', '3', 'action']), undefined);
    assert.equal(readValue(doc, ['color', 'r', 'x']), undefined);
    assert.equal(readValue(doc, ['toString']), undefined);
  });

  it('raw JSON must be an object; empty text is no arguments', () => {
    assert.deepEqual(parseRawJson(''), { value: {} });
    assert.deepEqual(parseRawJson('[1]'), { error: 'Tool arguments must be a JSON object' });
    assert.match((parseRawJson('{"a":') as { error: string }).error, /^Not valid JSON: /);
  });

  it('matchVariant picks the option a raw-JSON value belongs to', () => {
    const color = as(field(buildFormModel(schemaOf('light-set-color-oneof')), 'color'), 'variant');
    assert.equal(matchVariant(color, { mode: 'white', kelvin: 3000 }), 2);
    assert.equal(matchVariant(color, { mode: 'hsv' }), 1);
    assert.equal(matchVariant(color, 'red'), -1);
    const either = as(field(buildFormModel(schemaOf('hostile-odd-keywords')), 'number_or_text'), 'variant');
    assert.equal(matchVariant(either, 'ten'), 1);
    assert.equal(matchVariant(either, 10), 0);
    assert.equal(matchVariant(either, true), -1);
  });
});
