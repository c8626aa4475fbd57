import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTopicFilter, filterMatches, isValidTopicName } from '../../src/core/broker/topics.js';
import { SubscriptionTrie } from '../../src/core/broker/subscription-trie.js';

const matches = (filter: string, topic: string): boolean => filterMatches(filter.split('/'), topic.split('/'));

describe('topic names and filters', () => {
  it('accepts topic names without wildcards or NUL, including $ topics', () => {
    for (const topic of ['a', 'a/b', '/a', 'a/', '$mcp-server/presence/x/y', 'sp ace/ü']) assert.equal(isValidTopicName(topic), true, topic);
    for (const topic of ['', 'a/+', 'a/#', 'a\u0000b', 'a+b']) assert.equal(isValidTopicName(topic), false, topic);
  });

  it('validates filters and tells shared subscriptions apart', () => {
    for (const filter of ['#', '+', 'a/+/b', 'a/#', '+/+', '$mcp-rpc/#', '/']) assert.equal(checkTopicFilter(filter), 'ok', filter);
    for (const filter of ['', 'a/#/b', 'a#', 'a/b+', '+a/b', 'a/\u0000']) assert.equal(checkTopicFilter(filter), 'invalid', filter);
    assert.equal(checkTopicFilter('$share/g/a/b'), 'shared');
  });

  it('matches + as one level and # as any number of trailing levels, including none', () => {
    assert.equal(matches('a/+/c', 'a/b/c'), true);
    assert.equal(matches('a/+/c', 'a/b/x/c'), false);
    assert.equal(matches('a/+', 'a/'), true);
    assert.equal(matches('a/#', 'a'), true);
    assert.equal(matches('a/#', 'a/b/c'), true);
    assert.equal(matches('a/b', 'a/b/c'), false);
    assert.equal(matches('a/b/c', 'a/b'), false);
  });

  it('never lets a leading wildcard match a $ topic', () => {
    assert.equal(matches('#', '$mcp-server/presence/x'), false);
    assert.equal(matches('+/presence/x', '$mcp-server/presence/x'), false);
    assert.equal(matches('$mcp-server/#', '$mcp-server/presence/x'), true);
    assert.equal(matches('a/+', 'a/$b'), true);
  });
});

describe('subscription trie', () => {
  const qos0 = { qos: 0 as const, noLocal: false, retainAsPublished: false };

  it('finds subscribers through exact, + and # branches, honouring the $ rule', () => {
    const trie = new SubscriptionTrie<string>();
    trie.add('a/b', 'exact', qos0);
    trie.add('a/+', 'plus', qos0);
    trie.add('#', 'all', qos0);
    trie.add('a/#', 'under-a', qos0);
    trie.add('$sys/#', 'dollar', qos0);
    assert.deepEqual([...trie.match('a/b').keys()].sort(), ['all', 'exact', 'plus', 'under-a']);
    assert.deepEqual([...trie.match('a').keys()].sort(), ['all', 'under-a']);
    assert.deepEqual([...trie.match('$sys/x').keys()], ['dollar']);
  });

  it('combines overlapping filters of one subscriber and skips No Local ones for its own messages', () => {
    const trie = new SubscriptionTrie<string>();
    trie.add('t/+', 'me', { qos: 0, noLocal: false, retainAsPublished: false, subscriptionIdentifier: 1 });
    trie.add('t/#', 'me', { qos: 1, noLocal: false, retainAsPublished: true, subscriptionIdentifier: 2 });
    trie.add('t/x', 'me', { qos: 1, noLocal: true, retainAsPublished: false });
    const combined = trie.match('t/x').get('me');
    assert.deepEqual({ ...combined, subscriptionIdentifiers: combined?.subscriptionIdentifiers.sort() }, { qos: 1, retainAsPublished: true, subscriptionIdentifiers: [1, 2] });
    trie.remove('t/#', 'me');
    assert.deepEqual(trie.match('t/x', 'me').get('me'), { qos: 0, retainAsPublished: false, subscriptionIdentifiers: [1] });
  });

  it('reports whether a subscription existed and forgets removed ones', () => {
    const trie = new SubscriptionTrie<string>();
    assert.equal(trie.add('a/b', 's', qos0), false);
    assert.equal(trie.add('a/b', 's', qos0), true);
    assert.equal(trie.remove('a/b', 's'), true);
    assert.equal(trie.remove('a/b', 's'), false);
    assert.equal(trie.match('a/b').size, 0);
  });
});
