// The bounded event log: ring eviction (counted, never silent), resize, JSONL export and lenient import.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventLog,
  MAX_STORED_PAYLOAD_BYTES,
  fromJsonl,
  storablePayload,
  toJsonl,
  type TimelineEvent,
} from '../../src/core/events/event-log.js';

const seqs = (events: readonly TimelineEvent[]): number[] => events.map((e) => e.seq);

describe('EventLog', () => {
  it('evicts the oldest events and counts every eviction', () => {
    const log = new EventLog(3);
    for (let i = 1; i <= 5; i++) log.push({ kind: 'request', summary: `e${i}`, time: i });
    assert.equal(log.size, 3);
    assert.equal(log.evicted, 2);
    assert.deepEqual(seqs(log.snapshot()), [3, 4, 5]);
    assert.deepEqual(log.snapshot().map((e) => e.summary), ['e3', 'e4', 'e5']);
    for (let i = 6; i <= 1000; i++) log.push({ kind: 'request', summary: `e${i}` });
    assert.equal(log.evicted, 997);
    assert.deepEqual(seqs(log.snapshot()), [998, 999, 1000]);
  });

  it('keeps events in order across many wrap-arounds at capacity 1', () => {
    const log = new EventLog(1);
    for (let i = 0; i < 10; i++) log.push({ kind: 'notification', summary: String(i) });
    assert.deepEqual(log.snapshot().map((e) => e.summary), ['9']);
    assert.equal(log.evicted, 9);
  });

  it('resizes down (keeping the newest, counting the dropped) and up (keeping everything)', () => {
    const log = new EventLog(5);
    for (let i = 1; i <= 7; i++) log.push({ kind: 'request', summary: `e${i}` }); // ring wrapped: head is not 0
    assert.deepEqual(seqs(log.snapshot()), [3, 4, 5, 6, 7]);
    log.resize(2);
    assert.equal(log.capacity, 2);
    assert.deepEqual(seqs(log.snapshot()), [6, 7]);
    assert.equal(log.evicted, 2 + 3);
    log.resize(10);
    assert.deepEqual(seqs(log.snapshot()), [6, 7]);
    for (let i = 8; i <= 15; i++) log.push({ kind: 'request', summary: `e${i}` });
    assert.equal(log.size, 10);
    assert.equal(log.evicted, 5);
    assert.deepEqual(seqs(log.snapshot()), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    log.push({ kind: 'request', summary: 'e16' });
    assert.deepEqual(seqs(log.snapshot()).slice(0, 2), [7, 8]);
    assert.equal(log.evicted, 6);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new EventLog(bad), RangeError);
      assert.throws(() => new EventLog(2).resize(bad), RangeError);
    }
  });

  it('clear() empties the log and resets the eviction count, while sequence numbers keep rising', () => {
    const log = new EventLog(2);
    for (let i = 0; i < 4; i++) log.push({ kind: 'request', summary: 'x' });
    log.clear();
    assert.equal(log.size, 0);
    assert.equal(log.evicted, 0);
    assert.deepEqual(log.snapshot(), []);
    const next = log.push({ kind: 'request', summary: 'after' });
    assert.equal(next.seq, 5);
    assert.deepEqual(seqs(log.snapshot()), [5]);
  });

  it('notifies listeners and stamps time', () => {
    const log = new EventLog(2);
    const heard: number[] = [];
    const off = log.onEvent((e) => heard.push(e.seq));
    log.sink({ kind: 'presence', summary: 'a' });
    const stamped = log.snapshot()[0];
    assert.ok(stamped && typeof stamped.time === 'number' && stamped.time > 0);
    off();
    log.push({ kind: 'presence', summary: 'b' });
    assert.deepEqual(heard, [1]);
  });
});

describe('JSONL', () => {
  it('round-trips events exactly, including unicode, newlines and nested payloads', () => {
    const log = new EventLog(10);
    log.push({ kind: 'request', summary: '→ tools/call #1', topic: '$mcp-rpc/c/s/温度', payload: { a: 'line\nbreak\r\u2028', n: [1, { b: null }] }, rpcId: 1 });
    log.push({ kind: 'error', level: 'warn', summary: 'bad', userProperties: { k: ['a', 'b'] }, size: 3 });
    log.push({ kind: 'check', summary: 'emoji 🌡️', latencyMs: 1.25, direction: 'in' });
    const events = log.snapshot();
    const text = toJsonl(events);
    assert.equal(text.split('\n').length, 4, 'one line per event plus the trailing newline');
    const back = fromJsonl(text);
    assert.deepEqual(back.rejected, []);
    assert.deepEqual(back.events, events);
    assert.equal(toJsonl([]), '');
    assert.deepEqual(fromJsonl(''), { events: [], rejected: [] });
  });

  it('imports the good lines and reports each bad one with its line number', () => {
    const good = JSON.stringify({ seq: 1, time: 10, kind: 'presence', summary: 'ok' });
    const text = [
      good,
      '{not json',
      '',
      '[1,2]',
      JSON.stringify({ seq: 'x', time: 1, kind: 'presence', summary: 's' }),
      JSON.stringify({ seq: 2, kind: 'presence', summary: 's' }),
      JSON.stringify({ seq: 3, time: 1, kind: 'telepathy', summary: 's' }),
      JSON.stringify({ seq: 4, time: 1, kind: 'request' }),
      '   ',
      'null',
      JSON.stringify({ seq: 5, time: 11, kind: 'request', summary: 'also ok' }),
    ].join('\r\n');
    const result = fromJsonl(text);
    assert.deepEqual(result.events.map((e) => e.seq), [1, 5]);
    assert.deepEqual(result.rejected.map((r) => r.line), [2, 4, 5, 6, 7, 8, 10]);
    for (const r of result.rejected) assert.ok(r.reason.length > 0);
  });
});

describe('storablePayload', () => {
  it('keeps small payloads as they are and truncates big ones visibly', () => {
    const small = { a: 1 };
    assert.equal(storablePayload(small, 7), small);
    const big = 'x'.repeat(MAX_STORED_PAYLOAD_BYTES * 2);
    const stored = storablePayload(big, big.length) as { truncated: boolean; originalBytes: number; preview: string };
    assert.equal(stored.truncated, true);
    assert.equal(stored.originalBytes, big.length);
    assert.equal(stored.preview.length, MAX_STORED_PAYLOAD_BYTES);
    const bigObject = { data: big };
    const storedObject = storablePayload(bigObject, big.length + 11) as { preview: string };
    assert.ok(storedObject.preview.startsWith('{"data":"xxx'));
  });
});

describe('EventLog compact storage', () => {
  it('gives back every field exactly, builds fresh objects and finds an event by seq', () => {
    const log = new EventLog(4);
    const properties = { 'MCP-COMPONENT-TYPE': 'mcp-client', multi: ['a', 'b'] };
    const full = {
      kind: 'response' as const,
      summary: '← result #7 ✓',
      level: 'warn' as const,
      broker: 'mqtt://127.0.0.1:1883',
      serverName: 'building/floor-1/thermostat',
      serverId: 'dev-1',
      clientId: 'mqtt-mcp-1',
      direction: 'in' as const,
      topic: '$mcp-rpc/mqtt-mcp-1/dev-1/building/floor-1/thermostat',
      method: 'tools/call',
      rpcId: 7,
      userProperties: properties,
      size: 120,
      latencyMs: 0.4,
      source: 'agent' as const,
      payload: { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'héllo 🌡️' }] } },
      time: 1234.5,
    };
    const pushed = log.push(full);
    log.push({ kind: 'request', summary: 'string id and payload', rpcId: 'abc', payload: 'not json {' });
    log.push({ kind: 'notification', summary: '', payload: null });
    const [first, second, third] = log.snapshot();
    assert.deepEqual(first, pushed);
    assert.deepEqual(second, { seq: 2, time: second!.time, kind: 'request', summary: 'string id and payload', rpcId: 'abc', payload: 'not json {' });
    assert.deepEqual(third, { seq: 3, time: third!.time, kind: 'notification', summary: '', payload: null });
    // Reading builds new objects: changing one does not change the log, nor other events sharing the properties.
    first!.userProperties!.multi = 'changed';
    (first!.payload as { id: number }).id = 99;
    assert.deepEqual(log.get(1), pushed);
    assert.equal(log.get(0), undefined);
    assert.equal(log.get(4), undefined);
    assert.equal(log.get(2.5), undefined);
    assert.deepEqual(log.get(3), third);
  });

  it('keeps big payloads and many events across chunk boundaries, dropping what is evicted', () => {
    const log = new EventLog(50);
    const big = 'x'.repeat(MAX_STORED_PAYLOAD_BYTES);
    for (let i = 1; i <= 500; i++) log.push({ kind: 'request', summary: `e${i}`, payload: { i, text: i % 7 === 0 ? big : 'small' } });
    const events = log.snapshot();
    assert.deepEqual(seqs(events), Array.from({ length: 50 }, (_, i) => 451 + i));
    for (const e of events) {
      const payload = e.payload as { i: number; text: string };
      assert.equal(e.summary, `e${payload.i}`);
      assert.equal(payload.text, payload.i % 7 === 0 ? big : 'small');
    }
    log.resize(5);
    assert.deepEqual(log.snapshot().map((e) => (e.payload as { i: number }).i), [496, 497, 498, 499, 500]);
  });
});
