import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNameTree, findFolder, shortName } from '../../src/core/views/name-tree.js';

test('groups server-names into folders by their levels', () => {
  const tree = buildNameTree(['home/thermostat/1', 'home/thermostat/2', 'home/light/1', 'ESP32 Demo Server']);
  assert.deepEqual(tree.servers, ['ESP32 Demo Server']);
  assert.deepEqual(tree.folders.map((f) => f.path), ['home']);
  const home = tree.folders[0]!;
  assert.deepEqual(home.folders.map((f) => [f.path, f.label]), [
    ['home/light', 'light'],
    ['home/thermostat', 'thermostat'],
  ]);
  assert.deepEqual(home.folders[1]!.servers, ['home/thermostat/1', 'home/thermostat/2']);
});

test('joins chains of single-child folders so deep names stay shallow', () => {
  const tree = buildNameTree(['3D-Printer/ACH301/EECF7892AB1', '3D-Printer/ACH301/EECF7892AB2']);
  assert.equal(tree.folders.length, 1);
  assert.equal(tree.folders[0]!.label, '3D-Printer/ACH301');
  assert.equal(tree.folders[0]!.path, '3D-Printer/ACH301');
  assert.deepEqual(tree.folders[0]!.servers, ['3D-Printer/ACH301/EECF7892AB1', '3D-Printer/ACH301/EECF7892AB2']);
});

test('a name that is also a folder appears both as a server and as a folder', () => {
  const tree = buildNameTree(['a/b', 'a/b/c']);
  const a = findFolder(tree, 'a');
  assert.ok(a);
  assert.deepEqual(a.servers, ['a/b']);
  assert.deepEqual(findFolder(tree, 'a/b')?.servers, ['a/b/c']);
  assert.equal(findFolder(tree, 'nope'), undefined);
});

test('shortName strips the folder path only when it is a prefix', () => {
  assert.equal(shortName('home/thermostat/1', 'home/thermostat'), '1');
  assert.equal(shortName('home/thermostat/1', 'office'), 'home/thermostat/1');
  assert.equal(shortName('solo', ''), 'solo');
});

test('10,000 names build into a bounded number of top-level folders', () => {
  const names = Array.from({ length: 10_000 }, (_, i) => `site${i % 10}/floor${i % 7}/sensor-${i}`);
  const tree = buildNameTree(names);
  assert.equal(tree.folders.length, 10);
  const total = (f: ReturnType<typeof buildNameTree>): number => f.servers.length + f.folders.reduce((n, c) => n + total(c), 0);
  assert.equal(total(tree), 10_000);
});
