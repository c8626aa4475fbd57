// Webview pure parts, in Node without a DOM: result content classification (what may be shown, and how),
// the virtual list's window arithmetic, and the timeline filters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyContent, mediaDataUrl } from '../../webview/shared/content.js';
import { isAtBottom, scrollToReveal, visibleWindow } from '../../webview/shared/virtual-list.js';
import { firstIndexAtOrAfter, isFiltering, NO_FILTER, rowMatcher } from '../../webview/timeline/filter.js';
import { typeHint } from '../../webview/invoker/form.js';
import type { TimelineRow } from '../../webview/shared/protocol.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('content classification', () => {
  it('shows text as text and JSON text pretty-printed', () => {
    assert.deepEqual(classifyContent({ type: 'text', text: 'hello <b>' }), { kind: 'text', text: 'hello <b>' });
    assert.deepEqual(classifyContent({ type: 'text', text: '{"a":1}' }), { kind: 'json', text: '{\n  "a": 1\n}' });
    assert.equal(classifyContent({ type: 'text', text: '{not json' }).kind, 'text');
  });

  it('accepts images and audio only as base64 of an allowed MIME type', () => {
    const img = classifyContent({ type: 'image', mimeType: 'image/png', data: PNG });
    assert.equal(img.kind, 'image');
    assert.ok(img.kind === 'image' && img.src.startsWith('data:image/png;base64,'));
    assert.equal(classifyContent({ type: 'audio', mimeType: 'audio/wav', data: 'UklGRg==' }).kind, 'audio');
    assert.equal(classifyContent({ type: 'image', mimeType: 'image/svg+xml', data: PNG }).kind, 'invalid');
    assert.equal(classifyContent({ type: 'image', mimeType: 'text/html', data: PNG }).kind, 'invalid');
    assert.equal(classifyContent({ type: 'image', mimeType: 'image/png', data: 'x" onerror="alert(1)' }).kind, 'invalid');
    assert.equal(classifyContent({ type: 'audio', mimeType: 'image/png', data: PNG }).kind, 'invalid');
    assert.equal(mediaDataUrl('image', 'image/png;charset=x', PNG)?.startsWith('data:image/png;base64,'), true);
    assert.equal(mediaDataUrl('image', 'IMAGE/PNG', `${PNG}\n`)?.endsWith('=='), true);
    assert.equal(mediaDataUrl('image', 'image/png', 'abc'), undefined); // not a multiple of 4
    assert.equal(mediaDataUrl('image', 'image/png', ''), undefined);
  });

  it('keeps resource links and embedded resources as data, never as navigable URLs', () => {
    const link = classifyContent({ type: 'resource_link', uri: 'javascript:alert(1)', name: '<img src=x onerror=alert(1)>' });
    assert.deepEqual(link, { kind: 'link', uri: 'javascript:alert(1)', name: '<img src=x onerror=alert(1)>' });
    const text = classifyContent({ type: 'resource', resource: { uri: 'device://a/config.json', mimeType: 'application/json', text: '{"x":1}' } });
    assert.deepEqual(text, { kind: 'resource', uri: 'device://a/config.json', mimeType: 'application/json', text: '{\n  "x": 1\n}', json: true });
    const blob = classifyContent({ type: 'resource', resource: { uri: 'device://a/dot.png', mimeType: 'image/png', blob: PNG } });
    assert.ok(blob.kind === 'resource' && blob.image?.startsWith('data:image/png;base64,') && blob.bytes === 70);
    const bin = classifyContent({ type: 'resource', resource: { uri: 'device://a/x.bin', mimeType: 'application/octet-stream', blob: 'AAAA' } });
    assert.ok(bin.kind === 'resource' && bin.image === undefined && bin.bytes === 3);
  });

  it('reports what it cannot show instead of guessing', () => {
    for (const item of [null, 'text', { type: 'video' }, { type: 'text' }, { type: 'resource', resource: {} }, { type: 'resource_link' }]) {
      const block = classifyContent(item);
      assert.equal(block.kind, 'invalid', JSON.stringify(item));
      assert.ok(block.kind === 'invalid' && block.reason.length > 0);
    }
  });
});

describe('virtual list window', () => {
  it('renders only the rows in view plus overscan', () => {
    assert.deepEqual(visibleWindow(0, 220, 22, 100_000, 5), { start: 0, end: 16 });
    assert.deepEqual(visibleWindow(22 * 50_000, 220, 22, 100_000, 5), { start: 49_995, end: 50_016 });
  });

  it('clamps at both ends and for odd input', () => {
    assert.deepEqual(visibleWindow(-100, 220, 22, 100, 0), { start: 0, end: 11 });
    assert.deepEqual(visibleWindow(1e9, 220, 22, 100, 2), { start: 88, end: 100 });
    assert.deepEqual(visibleWindow(0, 220, 22, 3, 8), { start: 0, end: 3 });
    assert.deepEqual(visibleWindow(0, 220, 22, 0), { start: 0, end: 0 });
    assert.deepEqual(visibleWindow(0, 0, 22, 50, 8), { start: 0, end: 8 });
  });

  it('keeps the DOM size independent of the number of rows', () => {
    for (const count of [1_000, 100_000, 1_000_000]) {
      const w = visibleWindow(count * 11, 600, 22, count);
      assert.ok(w.end - w.start <= Math.ceil(600 / 22) + 1 + 16);
    }
  });

  it('scrolls minimally to reveal a row, and knows when it is at the bottom', () => {
    assert.equal(scrollToReveal(5, 0, 220, 22), undefined);
    assert.equal(scrollToReveal(20, 0, 220, 22), 20 * 22 + 22 - 220);
    assert.equal(scrollToReveal(2, 440, 220, 22), 44);
    assert.equal(isAtBottom(780, 220, 1000, 22), true);
    assert.equal(isAtBottom(700, 220, 1000, 22), false);
  });
});

describe('timeline filters', () => {
  const rows: TimelineRow[] = [
    { seq: 1, time: 0, kind: 'request', summary: 'tools/call set_target', broker: 'local', serverName: 'home/thermostat/1', method: 'tools/call', source: 'invoker' },
    { seq: 2, time: 0, kind: 'response', summary: 'result', broker: 'local', serverName: 'home/thermostat/1', method: 'tools/call' },
    { seq: 5, time: 0, kind: 'presence', summary: 'online', broker: 'other', serverName: 'lab/kitchen-sink/1', topic: '$mcp-server/presence/x' },
  ];
  const run = (f: Partial<typeof NO_FILTER>): number[] => rows.filter(rowMatcher({ ...NO_FILTER, ...f })).map((r) => r.seq);

  it('filters by each field and by free text', () => {
    assert.deepEqual(run({}), [1, 2, 5]);
    assert.deepEqual(run({ broker: 'other' }), [5]);
    assert.deepEqual(run({ server: 'home/thermostat/1', kind: 'response' }), [2]);
    assert.deepEqual(run({ method: 'tools/call' }), [1, 2]);
    assert.deepEqual(run({ text: 'SET_TARGET' }), [1]);
    assert.deepEqual(run({ text: 'presence/x' }), [5]);
    assert.deepEqual(run({ text: 'invoker' }), [1]);
    assert.equal(isFiltering(NO_FILTER), false);
    assert.equal(isFiltering({ ...NO_FILTER, text: '  ' }), false);
  });

  it('finds the first row at or after a seq (trimming the filtered list)', () => {
    assert.equal(firstIndexAtOrAfter(rows, 0), 0);
    assert.equal(firstIndexAtOrAfter(rows, 2), 1);
    assert.equal(firstIndexAtOrAfter(rows, 3), 2);
    assert.equal(firstIndexAtOrAfter(rows, 6), 3);
  });
});

describe('form type hints', () => {
  it('states bounds the way a user types them', () => {
    const base = { path: ['t'], name: 't', label: 'T', required: true, nullable: false };
    assert.equal(typeHint({ ...base, kind: 'number', constraints: { minimum: 5, maximum: 32 } }), 'number, 5–32');
    assert.equal(typeHint({ ...base, kind: 'integer', constraints: { minimum: 1 } }), 'integer, ≥ 1');
    assert.equal(typeHint({ ...base, kind: 'string', constraints: { maxLength: 20 } }), 'string, 0–20 chars');
  });
});
