import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryRegistry } from '../../src/core/discovery/registry.js';

const info = (description: string) => ({ description, meta: {}, rbacRoles: [] });

test('namesVersion changes when names come or go, not when a known name goes offline or changes details', () => {
  const registry = new DiscoveryRegistry();
  const v0 = registry.namesVersion;
  registry.online('a1', 'home/a', info('first'));
  const v1 = registry.namesVersion;
  assert.notEqual(v1, v0, 'a new name');
  registry.online('a2', 'home/a', info('second instance'));
  registry.online('a1', 'home/a', info('new description'));
  registry.offline('a1', 'home/a');
  registry.offline('a2', 'home/a');
  assert.equal(registry.namesVersion, v1, 'same names, now offline');
  registry.online('a1', 'home/a', info('back'));
  assert.equal(registry.namesVersion, v1, 'back online under a known name');
  registry.offline('a1', 'home/a');
  registry.forgetOffline();
  const v2 = registry.namesVersion;
  assert.notEqual(v2, v1, 'an offline name forgotten');
  registry.online('b1', 'home/b', info('b'));
  registry.clear();
  assert.notEqual(registry.namesVersion, v2, 'cleared');
  assert.equal(registry.size, 0);
  registry.dispose();
});
