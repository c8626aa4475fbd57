// The pure parts of watching a resource: which fields of a value can be plotted, bounded series with gaps,
// and the CSV export.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsOfResult } from '../../src/core/watch/numeric-fields.js';
import { Series } from '../../src/core/watch/series.js';

const doc = (text: string) => ({ contents: [{ uri: 'x://r', text }] });

describe('fieldsOfResult', () => {
  test('takes every numeric field of a JSON document by path, the rest as text', () => {
    const f = fieldsOfResult(doc(JSON.stringify({ value: 21.5, unit: '°C', axes: { x: 1, y: -2 }, list: [3, 'a'], ok: true, none: null })));
    assert.deepEqual([...f.numbers], [['value', 21.5], ['axes.x', 1], ['axes.y', -2], ['list[0]', 3]]);
    assert.deepEqual([...f.texts], [['unit', '°C'], ['list[1]', 'a'], ['ok', 'true'], ['none', 'null']]);
  });

  test('a bare number is the field "value"; plain text is text', () => {
    assert.deepEqual([...fieldsOfResult(doc(' 42.25\n')).numbers], [['value', 42.25]]);
    assert.deepEqual([...fieldsOfResult(doc('heating')).texts], [['value', 'heating']]);
    assert.deepEqual([...fieldsOfResult(doc('{not json')).texts], [['value', '{not json']]);
  });

  test('bounds depth and field count of hostile documents', () => {
    const depth = 20_000;
    const f = fieldsOfResult(doc(`${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}`));
    assert.equal(f.numbers.size, 0);
    assert.equal(f.texts.size, 1);
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    assert.equal(fieldsOfResult(doc(JSON.stringify(wide))).numbers.size, 64);
  });

  test('binary contents are named, not plotted', () => {
    const f = fieldsOfResult({ contents: [{ uri: 'x://b', blob: 'AAAA', mimeType: 'image/png' }] });
    assert.equal(f.numbers.size, 0);
    assert.match(f.texts.get('value') ?? '', /1 binary content/);
  });
});

describe('Series', () => {
  test('keeps the newest samples up to its capacity, in order', () => {
    const s = new Series(3);
    for (let i = 1; i <= 5; i++) s.push(i, i * 10);
    assert.deepEqual(s.points(), [{ t: 3, v: 30 }, { t: 4, v: 40 }, { t: 5, v: 50 }]);
    assert.deepEqual(s.last(), { t: 5, v: 50 });
  });

  test('a gap is one NaN point however often it is marked', () => {
    const s = new Series(10);
    s.push(1, 1);
    s.gap(2);
    s.gap(3);
    s.push(4, 2);
    const points = s.points();
    assert.equal(points.length, 3);
    assert.ok(Number.isNaN(points[1]!.v));
  });

  test('refuses a capacity that cannot hold a line', () => {
    assert.throws(() => new Series(1), /capacity/);
  });
});
