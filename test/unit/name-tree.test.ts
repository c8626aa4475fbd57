import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameTree, folderPath, shortName } from '../../src/core/views/name-tree.js';

const tree = (names: string[]): NameTree => new NameTree([...names].sort());

test('groups server-names into folders by their levels', () => {
  const t = tree(['home/thermostat/1', 'home/thermostat/2', 'home/light/1', 'ESP32 Demo Server']);
  const root = t.listing('');
  assert.deepEqual(root.servers, ['ESP32 Demo Server']);
  assert.deepEqual(root.folders, [{ prefix: 'home/', label: 'home' }]);
  assert.deepEqual(t.listing('home/').folders, [
    { prefix: 'home/light/', label: 'light' },
    { prefix: 'home/thermostat/', label: 'thermostat' },
  ]);
  assert.deepEqual(t.listing('home/thermostat/').servers, ['home/thermostat/1', 'home/thermostat/2']);
  assert.equal(t.count('home/'), 3);
  assert.equal(t.count(''), 4);
});

test('joins chains of single-child folders so deep names stay shallow', () => {
  const t = tree(['3D-Printer/ACH301/EECF7892AB1', '3D-Printer/ACH301/EECF7892AB2']);
  assert.deepEqual(t.listing('').folders, [{ prefix: '3D-Printer/ACH301/', label: '3D-Printer/ACH301' }]);
  assert.deepEqual(t.listing('3D-Printer/ACH301/').servers, ['3D-Printer/ACH301/EECF7892AB1', '3D-Printer/ACH301/EECF7892AB2']);
  assert.deepEqual(t.pathTo('3D-Printer/ACH301/EECF7892AB2'), ['', '3D-Printer/ACH301/']);
});

test('a name that is also a folder appears both as a server and as a folder', () => {
  const t = tree(['a/b', 'a/b/c', 'a/b-x']);
  assert.deepEqual(t.listing('a/').servers, ['a/b', 'a/b-x']);
  assert.deepEqual(t.listing('a/').folders, [{ prefix: 'a/b/', label: 'b' }]);
  assert.deepEqual(t.listing('a/b/').servers, ['a/b/c']);
  assert.deepEqual(t.pathTo('a/b'), ['', 'a/']);
  assert.deepEqual(t.pathTo('a/b/c'), ['', 'a/', 'a/b/']);
  assert.equal(t.pathTo('nope'), undefined);
  assert.equal(t.pathTo('a'), undefined);
});

test('children are in display order: numbers by value, case-insensitive first', () => {
  const t = tree(['f/sensor-10', 'f/sensor-2', 'f/Sensor-3', 'f/sensor-1']);
  assert.deepEqual(t.listing('f/').servers.map((n) => shortName(n, 'f/')), ['sensor-1', 'sensor-2', 'Sensor-3', 'sensor-10']);
});

test('shortName and folderPath strip the folder prefix only when it is one', () => {
  assert.equal(shortName('home/thermostat/1', 'home/thermostat/'), '1');
  assert.equal(shortName('home/thermostat/1', 'office/'), 'home/thermostat/1');
  assert.equal(shortName('solo', ''), 'solo');
  assert.equal(folderPath('home/thermostat/'), 'home/thermostat');
});

test('lists a folder without touching the others, and keeps listings no changed name falls under', () => {
  const names = Array.from({ length: 100_000 }, (_, i) => `site${i % 10}/floor${i % 7}/sensor-${i}`).sort();
  const t = new NameTree(names);
  assert.equal(t.listing('').folders.length, 10);
  assert.equal(t.listing('site3/').folders.length, 7);
  const floor = t.listing('site3/floor2/');
  assert.equal(floor.servers.length, t.count('site3/floor2/'));
  assert.deepEqual(t.listedPrefixes().sort(), ['', 'site3/', 'site3/floor2/']);
  const added = 'site4/floor1/sensor-new';
  const { tree: next, stale } = t.next([...names, added].sort(), [added]);
  assert.deepEqual(stale, ['']);
  assert.equal(next.listing('site3/floor2/'), floor, 'an untouched folder keeps its sorted listing');
  assert.deepEqual(next.pathTo(added), ['', 'site4/', 'site4/floor1/']);
});
