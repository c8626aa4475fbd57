// coerceInput: what the palette's input box turns into, and what it refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFormModel, coerceInput, type FieldModel } from '../../src/core/forms/index.js';
import { field, schemaOf } from '../fixtures/schemas/load.js';

const thermostat = buildFormModel(schemaOf('thermostat-set-temperature'));
const printer = buildFormModel(schemaOf('printer-start-print'));
const light = buildFormModel(schemaOf('light-set-color-oneof'));
const valve = buildFormModel(schemaOf('pydantic-valve-configure'));

function coerce(f: FieldModel, text: string): ReturnType<typeof coerceInput> {
  return coerceInput(f, text);
}

describe('coerceInput', () => {
  it('numbers: parsed, trimmed, checked against bounds', () => {
    const target = field(thermostat, 'target');
    assert.deepEqual(coerce(target, ' 21.5 '), { value: 21.5 });
    assert.deepEqual(coerce(target, '5'), { value: 5 });
    assert.deepEqual(coerce(target, '40'), { error: 'Must be at most 35' });
    assert.deepEqual(coerce(target, '4.99'), { error: 'Must be at least 5' });
    for (const bad of ['21,5', 'abc', '12abc', 'Infinity', '0x10', '--1']) {
      assert.deepEqual(coerce(target, bad), { error: 'Enter a number, like 21.5' }, bad);
    }
    assert.deepEqual(coerce(target, ''), { error: 'Required' });
  });

  it('integers: whole numbers only; empty leaves an optional field out', () => {
    const hold = field(thermostat, 'hold_minutes');
    assert.deepEqual(coerce(hold, '90'), { value: 90 });
    assert.deepEqual(coerce(hold, '1.5'), { error: 'Must be an integer' });
    assert.deepEqual(coerce(hold, '0'), { error: 'Must be greater than 0' });
    assert.deepEqual(coerce(hold, 'ten'), { error: 'Enter a whole number, like 3' });
    assert.deepEqual(coerce(hold, ''), {});
    assert.deepEqual(coerce(hold, '   '), {});
  });

  it('strings: kept as typed, with length, pattern and format checks', () => {
    const file = field(printer, 'file');
    assert.deepEqual(coerce(file, ' benchy.gcode'), { value: ' benchy.gcode' });
    assert.deepEqual(coerce(file, 'benchy.stl'), { error: 'Must match the pattern \\.gcode$' });
    assert.deepEqual(coerce(file, ''), { error: 'Must not be empty' });
    const valveId = field(valve, 'valve_id');
    assert.deepEqual(coerce(valveId, 'not-a-uuid'), { error: 'Must be a UUID like 123e4567-e89b-12d3-a456-426614174000' });
    assert.deepEqual(coerce(valveId, '123e4567-e89b-12d3-a456-426614174000'), { value: '123e4567-e89b-12d3-a456-426614174000' });
  });

  it('nullable fields: empty is null when required, absent when optional; "null" is accepted', () => {
    const brightness = field(buildFormModel(schemaOf('light-set-color-zod')), 'brightness');
    assert.deepEqual(coerce(brightness, ''), { value: null });
    assert.deepEqual(coerce(brightness, 'null'), { value: null });
    assert.deepEqual(coerce(brightness, '101'), { error: 'Must be at most 100' });
    const transition = field(light, 'transition');
    assert.deepEqual(coerce(transition, ''), {});
    assert.deepEqual(coerce(transition, 'null'), { value: null });
    const label = field(valve, 'label');
    assert.deepEqual(coerce(label, 'null'), { value: 'null' }, 'in a text field "null" is text');
  });

  it('booleans accept the usual words', () => {
    const supports = field(printer, 'supports');
    for (const yes of ['true', 'Yes', 'on', '1']) assert.deepEqual(coerce(supports, yes), { value: true }, yes);
    for (const no of ['false', 'NO', 'off', '0']) assert.deepEqual(coerce(supports, no), { value: false }, no);
    assert.deepEqual(coerce(supports, 'maybe'), { error: 'Enter true or false' });
  });

  it('enums match by value or label, ignoring case; errors list the choices', () => {
    const effect = field(light, 'effect');
    assert.deepEqual(coerce(effect, 'breathe'), { value: 'breathe' });
    assert.deepEqual(coerce(effect, 'Rainbow cycle'), { value: 'rainbow' });
    assert.deepEqual(coerce(effect, 'NONE'), { value: 'none' });
    assert.deepEqual(coerce(effect, 'strobe'), { error: 'Choose one of: None, Breathing, Rainbow cycle' });
    const level = field(buildFormModel(schemaOf('gateway-create-rule-recursive')), 'level');
    assert.deepEqual(coerce(level, '2'), { value: 2 });
    const huge = coerce(field(buildFormModel(schemaOf('zigbee-identify-huge-enum')), 'endpoint'), 'nope');
    assert.match(huge.error ?? '', /^Choose one of: 0x1000\/ep1, .*, …$/);
  });

  it('objects, arrays and JSON fields are typed as JSON', () => {
    const temps = field(printer, 'temperatures');
    assert.deepEqual(coerce(temps, '{"nozzle": 210}'), { value: { nozzle: 210 } });
    assert.deepEqual(coerce(temps, '[1]'), { error: 'Enter a JSON object, like {"key": "value"}' });
    assert.match(coerce(temps, '{nozzle: 210}').error ?? '', /^Not valid JSON: /);
    assert.deepEqual(coerce(field(printer, 'notify'), '["a@example.com"]'), { value: ['a@example.com'] });
    assert.deepEqual(coerce(field(printer, 'notify'), '"a@example.com"'), { error: 'Enter a JSON list, like [1, 2]' });
    assert.deepEqual(coerce(field(light, 'color'), '{"mode":"white","kelvin":3000}'), { value: { mode: 'white', kelvin: 3000 } });
    const anything = field(buildFormModel(schemaOf('hostile-odd-keywords')), 'anything');
    assert.deepEqual(coerce(anything, '42'), { value: 42 });
  });
});
