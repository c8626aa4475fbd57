// The import graph of src/ and webview/ has no cycles (type-only imports count) and keeps the layering of
// RULES.md. The walker is scripts/import-graph.mjs (TypeScript's pre-processor), also runnable on its own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles, importGraph, layerViolations } from '../../scripts/import-graph.mjs';

describe('import graph', () => {
  const graph = importGraph();

  it('sees the sources and their imports', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files found`);
    assert.ok(graph.get('src/extension/extension.ts')?.packages.includes('vscode'));
  });

  it('finds a cycle when there is one (the walker works)', () => {
    const fake = new Map([
      ['a.ts', { local: ['b.ts'], packages: [] }],
      ['b.ts', { local: ['c.ts'], packages: [] }],
      ['c.ts', { local: ['a.ts'], packages: [] }],
    ]);
    assert.deepEqual(findCycles(fake), [['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has no import cycles', () => {
    assert.deepEqual(findCycles(graph).map((c) => [...c, c[0]].join(' -> ')), []);
  });

  it('keeps core free of vscode and of both faces, and the faces apart', () => {
    assert.deepEqual(layerViolations(graph), []);
  });
});
