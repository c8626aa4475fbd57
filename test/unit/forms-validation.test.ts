// createValidator against the corpus: readable messages at the path of the field they belong to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createValidator, type ValidationIssue } from '../../src/core/forms/index.js';
import { schemaOf } from '../fixtures/schemas/load.js';

function check(fixture: string, value: unknown): ValidationIssue[] {
  return createValidator(schemaOf(fixture))(value);
}

/** Issues as "path: message" lines, sorted, for whole-list comparisons. */
function lines(issues: ValidationIssue[]): string[] {
  return issues.map((i) => `${i.path.join('/')}: ${i.message}`).sort();
}

describe('createValidator', () => {
  it('accepts valid arguments', () => {
    assert.deepEqual(check('thermostat-set-temperature', { target: 21.5, mode: 'heat', hold_minutes: 30 }), []);
    assert.deepEqual(check('light-set-color-zod', { color: { mode: 'scene', scene: 'read' }, brightness: null }), []);
    assert.deepEqual(check('gateway-create-rule-recursive', {
      name: 'frost', when: { sensor: 't', op: 'lt', value: 0, any: [{ sensor: 'u', op: 'gt', value: 1, any: [] }] },
      then: { kind: 'call_tool', tool: 'heat', arguments: { level: 2 } },
    }), []);
  });

  it('bounds, integers and missing required fields', () => {
    assert.deepEqual(lines(check('thermostat-set-temperature', { target: 40, hold_minutes: 1.5 })), [
      'hold_minutes: Must be an integer',
      'target: Must be at most 35',
    ]);
    assert.deepEqual(check('thermostat-set-temperature', {}), [{ path: ['target'], message: 'Required' }]);
    assert.deepEqual(check('thermostat-set-temperature', { target: 20, hold_minutes: 0 }), [{ path: ['hold_minutes'], message: 'Must be greater than 0' }]);
  });

  it('nested objects and arrays report at the nested path', () => {
    assert.deepEqual(lines(check('printer-start-print', { file: 'x.stl', material: 'PLA', temperatures: { nozzle: 400 }, notify: ['bob'] })), [
      'file: Must match the pattern \\.gcode$',
      'notify/0: Must be an e-mail address',
      'temperatures/nozzle: Must be at most 300',
    ]);
    assert.deepEqual(lines(check('scheduler-schedule', { at: '2025-01-31T09:30:00Z', steps: [{ action: 'blink' }, {}] })), [
      'steps/0/action: Must be one of: on, off, toggle',
      'steps/1/action: Required',
    ]);
  });

  it('formats: one message per field even when zod also emits a pattern', () => {
    const issues = check('scheduler-schedule', {
      at: '2025-13-01', steps: [], repeat: 'hourly', priority: 0.7, webhook: 'not a url', id: 'abc', tags: { a: 1 },
    });
    assert.deepEqual(lines(issues), [
      'at: Must be a date and time like 2025-01-31T09:30:00Z',
      'id: Must be a UUID like 123e4567-e89b-12d3-a456-426614174000',
      'priority: Must be a multiple of 0.5',
      'repeat: Must be one of: daily, weekly',
      'steps: Needs at least 1 item',
      'tags/a: Must be text',
      'webhook: Must be an absolute URI like https://example.com/path',
    ]);
  });

  it('unions: only the errors of the branch the value was aiming at', () => {
    assert.deepEqual(lines(check('light-set-color-zod', { color: { mode: 'rgb', r: 1, g: 2 }, brightness: 150 })), [
      'brightness: Must be at most 100',
      'color/b: Required',
    ]);
    assert.deepEqual(lines(check('light-set-color-zod', { color: 'red', brightness: 'x' })), [
      'brightness: Must be a number or null',
      'color: Must be an object',
    ]);
  });

  it('unions through $refs (2020-12) are attributed to their branch too', () => {
    assert.deepEqual(check('light-set-color-oneof', { color: { mode: 'rgb', r: 300, g: 0, b: 0 } }), [
      { path: ['color', 'r'], message: 'Must be at most 255' },
    ]);
    assert.deepEqual(check('light-set-color-oneof', { color: { mode: 'hsv', h: 360, s: 0.5 } }), [
      { path: ['color', 'h'], message: 'Must be less than 360' },
    ]);
    assert.deepEqual(check('light-set-color-oneof', { color: { mode: 'cmyk', c: 1 } }), [
      { path: ['color', 'mode'], message: 'Must be one of: rgb, hsv, white' },
    ]);
    assert.deepEqual(lines(check('light-set-color-oneof', { color: { mode: 'white', kelvin: 3050 }, effect: 'strobe', transition: 'slow', extra: 1 })), [
      ': Unknown property "extra"',
      'color/kelvin: Must be a multiple of 100',
      'effect: Must be one of: none, breathe, rainbow',
      'transition: Must be a number or null',
    ]);
  });

  it('recursive schemas validate at any depth', () => {
    assert.deepEqual(lines(check('gateway-create-rule-recursive', {
      name: 'r', when: { sensor: 's', op: 'lt', value: 1, any: [{ sensor: 's', op: 'zz', value: 'x' }] }, then: { kind: 'publish' },
    })), [
      'then/topic: Required',
      'when/any/0/op: Must be one of: lt, gt, eq',
      'when/any/0/value: Must be a number',
    ]);
  });

  it('pydantic-style: time format, duplicates, exclusive minimum inside a nullable $ref', () => {
    assert.deepEqual(lines(check('pydantic-valve-configure', {
      valve_id: '123e4567-e89b-12d3-a456-426614174000', zones: ['front', 'front'], schedule: { start: '25:00', minutes: 0 },
    })), [
      'schedule/minutes: Must be greater than 0',
      'schedule/start: Must be a time like 09:30:00Z',
      'zones: Items 1 and 2 are the same',
    ]);
  });

  it('huge enums do not list every value', () => {
    assert.deepEqual(check('zigbee-identify-huge-enum', { endpoint: 'nope' }), [{ path: ['endpoint'], message: 'Must be one of the allowed values' }]);
    assert.deepEqual(check('zigbee-identify-huge-enum', { endpoint: '0x1003/ep4' }), []);
  });

  it('schemas ajv cannot compile give one issue at the root instead of throwing', () => {
    for (const fixture of ['hostile-cycles', 'hostile-draft04', 'hostile-odd-keywords']) {
      const issues = check(fixture, {});
      assert.equal(issues.length, 1, fixture);
      assert.deepEqual(issues[0]?.path, [], fixture);
      assert.match(issues[0]?.message ?? '', /input schema cannot be used to check arguments/, fixture);
    }
    assert.match(check('hostile-cycles', {})[0]?.message ?? '', /loop/);
    assert.equal(createValidator(42)({}).length, 1);
    assert.equal(createValidator({ type: 'object', properties: { p: { type: 'string', pattern: '(' } } })({ p: 'x' }).length, 1);
  });

  it('boolean schemas and a bare string root validate as JSON Schema says', () => {
    assert.deepEqual(createValidator(true)({ anything: 1 }), []);
    assert.deepEqual(createValidator(false)({}), [{ path: [], message: 'No value is allowed here' }]);
    assert.deepEqual(check('hostile-not-object', 'ab'), [{ path: [], message: 'Must be at least 3 characters' }]);
  });

  it('caches by schema content, and equal schemas from different tools lists share a validator', () => {
    const a = createValidator(schemaOf('thermostat-set-temperature'));
    const b = createValidator(JSON.parse(JSON.stringify(schemaOf('thermostat-set-temperature'))));
    assert.equal(a, b);
    assert.notEqual(a, createValidator(schemaOf('printer-start-print')));
  });

  it('two schemas with the same $id do not clash', () => {
    const first = createValidator({ $id: 'urn:dev:args', type: 'object', properties: { a: { type: 'number' } } });
    const second = createValidator({ $id: 'urn:dev:args', type: 'object', properties: { a: { type: 'string' } } });
    assert.deepEqual(first({ a: 'x' }), [{ path: ['a'], message: 'Must be a number' }]);
    assert.deepEqual(second({ a: 1 }), [{ path: ['a'], message: 'Must be text' }]);
  });
});
