// What the Watch panel and the tree get from a watch: rows (snapshot and per sample, gaps as null), batches
// that bound the message rate and size, the tree row's one-line summary, template expansion, the panel's
// aligned plot data with its ring bound, and the check of what the panel's webview sends.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Series } from '../../src/core/watch/series.js';
import { gapRow, RowBatcher, sampleRow, summarizeLatest, watchRows, type WatchRow } from '../../src/core/watch/watch-feed.js';
import { expandTemplate, templateVariables } from '../../src/core/watch/template.js';
import type { WatchSample } from '../../src/core/watch/resource-watch.js';
import { PlotState } from '../../webview/watch/plot-state.js';
import { checkWatchMessage, endStatus } from '../../src/extension/watch/messages.js';

function sample(t: number, numbers: Record<string, number>, texts: Record<string, string> = {}): WatchSample {
  return { t, fields: { numbers: new Map(Object.entries(numbers)), texts: new Map(Object.entries(texts)) } };
}

describe('watch rows', () => {
  test('a snapshot has one row per timestamp, with null at gaps and absent fields left out', () => {
    const a = new Series(10);
    const b = new Series(10);
    a.push(1, 20);
    b.push(1, 40);
    a.push(2, 21);
    a.gap(3);
    b.gap(3);
    assert.deepEqual(watchRows({ series: new Map([['a', a], ['b', b]]) }), [
      { t: 1, values: { a: 20, b: 40 } },
      { t: 2, values: { a: 21 } },
      { t: 3, values: { a: null, b: null } },
    ]);
  });

  test('a sample row keeps only fields the watch has a series for; a failed read is a gap in all', () => {
    const series = new Map([['value', new Series(4)]]);
    assert.deepEqual(sampleRow({ series }, sample(5, { value: 1, extra: 2 })), { t: 5, values: { value: 1 } });
    assert.deepEqual(sampleRow({ series }, { t: 6, error: 'timeout' }), { t: 6, values: { value: null }, error: 'timeout' });
    assert.deepEqual(gapRow({ series }, 7), { t: 7, values: { value: null } });
  });
});

describe('RowBatcher', () => {
  function harness(capacity = 100) {
    let now = 0;
    const timers: { at: number; run: () => void; cancelled: boolean }[] = [];
    const flushed: WatchRow[][] = [];
    const batcher = new RowBatcher((rows) => flushed.push(rows), {
      intervalMs: 250,
      capacity,
      now: () => now,
      schedule: (run, ms) => {
        const timer = { at: now + ms, run, cancelled: false };
        timers.push(timer);
        return () => (timer.cancelled = true);
      },
    });
    const advance = (ms: number) => {
      now += ms;
      for (const t of timers.splice(0)) if (!t.cancelled && t.at <= now) t.run();
        else if (!t.cancelled) timers.push(t);
    };
    return { batcher, flushed, advance, pendingTimers: () => timers.filter((t) => !t.cancelled).length };
  }
  const row = (t: number): WatchRow => ({ t, values: { v: t } });

  test('many fast samples become one message per interval', () => {
    const { batcher, flushed, advance } = harness();
    batcher.push(row(1)); // first one goes out on the next turn
    advance(0);
    assert.equal(flushed.length, 1);
    for (let i = 2; i <= 50; i++) {
      batcher.push(row(i));
      advance(10);
    }
    // 490 ms of samples every 10 ms: at most two more flushes, every row delivered once, in order.
    advance(250);
    assert.ok(flushed.length <= 4, `${flushed.length} flushes`);
    assert.deepEqual(flushed.flat().map((r) => r.t), Array.from({ length: 50 }, (_, i) => i + 1));
  });

  test('never holds more than its capacity; clear drops the pending rows and the timer', () => {
    const { batcher, flushed, advance, pendingTimers } = harness(3);
    advance(1000);
    batcher.flushNow();
    for (let i = 1; i <= 10; i++) batcher.push(row(i));
    assert.equal(batcher.size, 3);
    advance(0);
    assert.deepEqual(flushed.at(-1)!.map((r) => r.t), [8, 9, 10]);
    batcher.push(row(11));
    batcher.clear();
    assert.equal(pendingTimers(), 0);
    advance(1000);
    assert.equal(flushed.flat().length, 3);
  });
});

describe('summarizeLatest', () => {
  test('a value with its unit; other documents as the first fields', () => {
    assert.equal(summarizeLatest({ latest: sample(1, { value: 21.5 }, { name: 'temperature', unit: '°C' }) }), '21.5 °C');
    assert.equal(summarizeLatest({ latest: sample(1, { x: 1, y: 2 }, { state: 'ok' }) }), 'x=1, y=2, state=ok');
    assert.equal(summarizeLatest({ latest: { t: 1, error: 'boom' } }), 'read failed');
    assert.equal(summarizeLatest({ latest: undefined }), 'waiting for the first value');
  });

  test('device text loses control characters and is cut short', () => {
    const text = summarizeLatest({ latest: sample(1, {}, { value: `line1\nline2\u0007${'x'.repeat(100)}` }) });
    assert.ok(!text.includes("\n") && !text.includes("\u0007"), text);
    assert.ok(text.length <= 40 && text.endsWith('…'), text);
  });
});

describe('resource templates', () => {
  test('lists the parameters once and expands them encoded', () => {
    assert.deepEqual(templateVariables('sensor://{room}/{kind}{?unit}'), ['room', 'kind', 'unit']);
    assert.equal(expandTemplate('sensor://{room}/temperature', { room: 'living room' }), 'sensor://living%20room/temperature');
  });
});

describe('PlotState (the Watch panel\'s data)', () => {
  test('aligns fields into columns, seconds on x, null at gaps, undefined where a field was missing', () => {
    const s = new PlotState(100);
    s.reset([{ t: 1000, values: { a: 1 } }, { t: 2000, values: { a: 2, b: 5 } }, { t: 3000, values: { a: null, b: null } }], 100);
    assert.deepEqual(s.names, ['a', 'b']);
    assert.deepEqual(s.data(), [[1, 2, 3], [1, 2, null], [undefined, 5, null]]);
    assert.equal(s.inGap, true);
    assert.deepEqual(s.numbersOf('a'), [1, 2]);
    assert.ok(s.namesChanged);
  });

  test('keeps at most its capacity of points, dropping the oldest', () => {
    const s = new PlotState(3);
    s.reset([], 3);
    s.append(Array.from({ length: 10 }, (_, i) => ({ t: i * 1000, values: { v: i } })));
    assert.equal(s.length, 3);
    assert.deepEqual(s.data(), [[7, 8, 9], [7, 8, 9]]);
    assert.equal(s.namesChanged, true, 'a new field rebuilds the chart');
    s.namesChanged = false;
    s.append([{ t: 11_000, values: { v: 10 } }]);
    assert.equal(s.namesChanged, false, 'no new field, no rebuild');
  });
});

describe('watch panel messages', () => {
  test('accepts the protocol and rejects anything else', () => {
    for (const type of ['ready', 'exportCsv', 'unwatch', 'rewatch']) assert.deepEqual(checkWatchMessage({ type, extra: 1 }), { ok: true, message: { type } });
    for (const bad of [null, [], 'ready', { type: 3 }, { type: 'eval' }]) assert.equal(checkWatchMessage(bad).ok, false, JSON.stringify(bad));
  });
});

describe('how a watch\'s end is shown', () => {
  test('the device going offline, a closed session, and a stop are told apart', () => {
    assert.deepEqual(endStatus({ reason: 'session-closed', message: 'home/thermostat/1 went offline' }), { state: 'ended', reason: 'offline', message: 'home/thermostat/1 went offline' });
    assert.deepEqual(endStatus({ reason: 'session-closed', message: 'broker disconnected' }), { state: 'ended', reason: 'session-closed', message: 'broker disconnected' });
    assert.deepEqual(endStatus({ reason: 'stopped' }), { state: 'ended', reason: 'stopped' });
  });
});
