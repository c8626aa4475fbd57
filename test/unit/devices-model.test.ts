import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryRegistry } from '../../src/core/discovery/registry.js';
import { DevicesModel, type TreeRefresh } from '../../src/core/views/devices-model.js';
import { parseDeviceQuery, searchOf } from '../../src/core/discovery/search.js';

const info = (description = '') => ({ description, meta: {}, rbacRoles: [] });

function setup(t: TestContext, names: string[]): { registry: DiscoveryRegistry; model: DevicesModel; refreshes: TreeRefresh[] } {
  const registry = new DiscoveryRegistry(1_000_000);
  names.forEach((n, i) => registry.online(`s${i}`, n, info(`device ${n}`)));
  registry.flush();
  const model = new DevicesModel(registry, { windowMs: 1_000_000, brokerRowMs: 0 });
  const refreshes: TreeRefresh[] = [];
  model.onRefresh((r) => refreshes.push(r));
  t.after(() => {
    model.dispose();
    registry.dispose();
  });
  return { registry, model, refreshes };
}

test('an online/offline change refreshes that server row and the broker count, no folder', (t) => {
  const { registry, model, refreshes } = setup(t, ['home/light/1', 'home/light/2', 'office/desk']);
  model.tree.listing('');
  model.tree.listing('home/light/');
  registry.offline('s0', 'home/light/1');
  registry.flush();
  model.flush();
  assert.deepEqual(refreshes, [{ folders: [], servers: ['home/light/1'], broker: true }]);
});

test('a new name refreshes only the listed folder whose children changed', (t) => {
  const { registry, model, refreshes } = setup(t, ['home/light/1', 'home/light/2', 'home/fan/1', 'office/desk']);
  const root = model.tree.listing('');
  model.tree.listing('home/');
  model.tree.listing('home/light/');
  const fans = model.tree.listing('home/fan/');
  registry.online('s9', 'home/light/3', info());
  registry.flush();
  model.flush();
  assert.deepEqual(refreshes.map((r) => r.folders), [['home/light/']]);
  assert.equal(model.tree.listing(''), root, 'the root listing is kept: its children are the same');
  assert.equal(model.tree.listing('home/fan/'), fans);
  assert.deepEqual(model.tree.listing('home/light/').servers, ['home/light/1', 'home/light/2', 'home/light/3']);
  // A new top-level folder changes the root's children: the broker row's children are redrawn.
  registry.online('s10', 'garage/door', info());
  registry.flush();
  model.flush();
  assert.deepEqual(refreshes.at(-1)?.folders, ['']);
});

test('a filter limits the tree to matching names; wildcards make it a server-name filter', (t) => {
  const { model } = setup(t, ['home/light/1', 'home/light/2', 'home/fan/1', 'office/desk']);
  assert.deepEqual(parseDeviceQuery('home/+/1'), { filter: 'home/+/1' });
  assert.deepEqual(parseDeviceQuery('  Light '), { text: 'Light' });
  model.setFilter(parseDeviceQuery('home/+/1'));
  assert.deepEqual([...model.tree.names], ['home/fan/1', 'home/light/1']);
  model.setFilter(parseDeviceQuery('desk'));
  assert.deepEqual([...model.tree.names], ['office/desk']);
  model.setFilter(undefined);
  assert.equal(model.tree.names.length, 4);
});

test('the search finds by description and forgets a changed description', (t) => {
  const { registry } = setup(t, ['a/1', 'a/2']);
  const search = searchOf(registry);
  assert.equal(searchOf(registry), search, 'one index per registry');
  assert.deepEqual(search.find({ text: 'device a/2' }), { names: ['a/2'], total: 1 });
  registry.online('s0', 'a/1', info('kitchen lamp'));
  registry.flush();
  assert.deepEqual(search.find({ text: 'kitchen' }).names, ['a/1']);
  assert.deepEqual(search.find({ text: 'a/' }, 1), { names: ['a/1'], total: 2 });
});
