// The retained index (a trie) must give exactly what the linear scan it replaced gave: same messages, same
// order, for random topics and filters with +, # and $ levels. Fixed seed, so a failure can be replayed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetainedStore } from '../../src/core/broker/retained-store.js';
import { filterMatches } from '../../src/core/broker/topics.js';
import type { BrokerMessage } from '../../src/core/broker/message.js';
import { seededRandom } from '../../src/core/device/index.js';


const LEVELS = ['a', 'b', 'c', '', '$sys', '$mcp-server', 'presence', 'x y'];

/** The matching this store did before the index: scan every topic, keep first-retained order. */
class LinearReference {
  private readonly byTopic = new Map<string, BrokerMessage>();
  get size(): number {
    return this.byTopic.size;
  }
  apply(message: BrokerMessage): void {
    if (message.payload.length === 0) this.byTopic.delete(message.topic);
    else this.byTopic.set(message.topic, message);
  }
  matching(filter: string): BrokerMessage[] {
    const filterLevels = filter.split('/');
    return [...this.byTopic.values()].filter((m) => filterMatches(filterLevels, m.topic.split('/')));
  }
}

describe('retained index', () => {
  it('matches what a linear scan matches, in the same order, on random topics and filters (seed 14)', () => {
    const random = seededRandom(14);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const depth = (): number => 1 + Math.floor(random() * 4);
    const topic = (): string => Array.from({ length: depth() }, () => pick(LEVELS)).join('/');
    const filter = (): string => {
      const levels = Array.from({ length: depth() }, () => (random() < 0.3 ? '+' : pick(LEVELS)));
      if (random() < 0.3) levels.push('#');
      return levels.join('/');
    };
    const store = new RetainedStore();
    const reference = new LinearReference();
    let compared = 0;
    let nonEmpty = 0;
    for (let round = 0; round < 3000; round++) {
      const message: BrokerMessage = { topic: topic(), payload: Buffer.from(random() < 0.15 ? '' : `p${round}`), qos: 0, retain: true, properties: {} };
      store.apply(message);
      reference.apply(message);
      if (round % 10 !== 0) continue;
      for (let q = 0; q < 5; q++) {
        const f = filter();
        const expected = reference.matching(f).map((m) => `${m.topic}=${m.payload.toString()}`);
        assert.deepEqual(store.matching(f, 0).map((m) => `${m.topic}=${m.payload.toString()}`), expected, `filter ${JSON.stringify(f)} at round ${round}`);
        compared++;
        if (expected.length > 0) nonEmpty++;
      }
      assert.equal(store.size, reference.size);
    }
    // The comparison is only worth something if many filters matched something.
    assert.ok(compared === 1500 && nonEmpty > 500, `${nonEmpty} of ${compared} filters matched anything`);
  });

  it('honours the $ rule at the first level only, and # matching its parent level', () => {
    const store = new RetainedStore();
    for (const t of ['$sys/a', 'a/$sys', 'a', 'a/b/c']) store.apply({ topic: t, payload: Buffer.from('x'), qos: 0, retain: true, properties: {} });
    assert.deepEqual(store.matching('#', 0).map((m) => m.topic), ['a/$sys', 'a', 'a/b/c']);
    assert.deepEqual(store.matching('+/+', 0).map((m) => m.topic), ['a/$sys']);
    assert.deepEqual(store.matching('$sys/#', 0).map((m) => m.topic), ['$sys/a']);
    assert.deepEqual(store.matching('a/#', 0).map((m) => m.topic), ['a/$sys', 'a', 'a/b/c']);
  });

  it('prunes deleted branches, so the index shrinks back', () => {
    const store = new RetainedStore();
    for (let i = 0; i < 100; i++) store.apply({ topic: `d/${i}/x`, payload: Buffer.from('x'), qos: 0, retain: true, properties: {} });
    for (let i = 0; i < 100; i++) store.apply({ topic: `d/${i}/x`, payload: Buffer.alloc(0), qos: 0, retain: true, properties: {} });
    assert.equal(store.size, 0);
    assert.equal((store as unknown as { root: { children: Map<string, unknown> } }).root.children.size, 0);
  });
});
