// awaitSnapshot's endings, with the sync round trip and the arrival count supplied directly (the broker side
// is covered by test/integration/discovery-snapshot.test.ts on a stock Mosquitto).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { awaitSnapshot } from '../../src/core/discovery/snapshot.js';

const never = (): Promise<void> => new Promise(() => undefined);

describe('awaitSnapshot', () => {
  it('complete when the sync answers', async () => {
    const r = await awaitSnapshot(() => Promise.resolve(), () => 7, { idleMs: 1_000, maxMs: 5_000 });
    assert.deepEqual({ complete: r.complete, received: r.received, problem: r.problem }, { complete: true, received: 7, problem: undefined });
  });

  it('a lost sync answer, then a second one answered: incomplete, and the hint names the Mosquitto limits', async () => {
    let calls = 0;
    const r = await awaitSnapshot(() => (++calls === 1 ? never() : Promise.resolve()), () => 3, { idleMs: 50, maxMs: 5_000 });
    assert.equal(r.complete, false);
    assert.equal(calls, 2);
    assert.match(r.problem ?? '', /never confirmed.*max_queued_messages/);
  });

  it('presence still arriving at the hard limit: stops there and says so', async () => {
    let n = 0;
    const feeding = setInterval(() => n++, 5);
    try {
      const started = Date.now();
      const r = await awaitSnapshot(never, () => n, { idleMs: 200, maxMs: 300 });
      assert.equal(r.complete, false);
      assert.match(r.problem ?? '', /still arriving after 300 ms/);
      assert.ok(Date.now() - started < 2_000, 'bounded by maxMs, not by the arrivals');
    } finally {
      clearInterval(feeding);
    }
  });

  it('a failing sync is reported, not thrown', async () => {
    const r = await awaitSnapshot(() => Promise.reject(new Error('not connected to the broker')), () => 0, { idleMs: 50, maxMs: 500 });
    assert.equal(r.complete, false);
    assert.match(r.problem ?? '', /not connected/);
  });
});
