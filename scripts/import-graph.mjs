// The import graph of src/ (type-only imports included: they are still a dependency a reader follows), its
// cycles, and imports that point up a layer. Uses the TypeScript compiler's pre-processor (no type check, no
// extra dependency). `node scripts/import-graph.mjs` prints the problems and exits non-zero when there are any;
// test/unit/import-graph.test.ts runs the same checks.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Resolves a relative specifier the way NodeNext does for our sources (`./x.js` is `./x.ts`). */
function resolveLocal(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** file (relative to the repo) -> the files and packages it imports. */
export function importGraph(dirs = ['src', 'webview']) {
  const graph = new Map();
  for (const dir of dirs) {
    for (const file of sourceFiles(join(root, dir))) {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const local = [];
      const packages = [];
      for (const { fileName } of importedFiles) {
        if (fileName.startsWith('.')) {
          const target = resolveLocal(file, fileName);
          if (target) local.push(relative(root, target));
        } else packages.push(fileName);
      }
      graph.set(relative(root, file), { local, packages });
    }
  }
  return graph;
}

/** Every elementary cycle found by a depth-first walk (each reported once, from its smallest file). */
export function findCycles(graph) {
  const cycles = new Map();
  const state = new Map(); // 1: on the stack, 2: done
  const stack = [];
  const visit = (file) => {
    state.set(file, 1);
    stack.push(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 1) {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const normalized = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(normalized.join(' -> '), normalized);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...cycles.values()];
}

/** Imports that break the layering in RULES.md: core knows neither face nor vscode; the faces not each other. */
export function layerViolations(graph) {
  const problems = [];
  for (const [file, { local, packages }] of graph) {
    const layer = file.split('/')[1];
    if (layer === 'core') {
      if (packages.includes('vscode')) problems.push(`${file} imports vscode`);
      for (const t of local) if (!t.startsWith('src/core/') && !t.endsWith('.json')) problems.push(`${file} imports ${t}`);
    }
    if (layer === 'cli') for (const t of local) if (t.startsWith('src/extension/')) problems.push(`${file} imports ${t}`);
    if (layer === 'extension') for (const t of local) if (t.startsWith('src/cli/')) problems.push(`${file} imports ${t}`);
    if (layer === 'cli' && packages.includes('vscode')) problems.push(`${file} imports vscode`);
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  const cycles = findCycles(graph);
  const violations = layerViolations(graph);
  for (const c of cycles) console.log(`cycle: ${[...c, c[0]].join(' -> ')}`);
  for (const v of violations) console.log(`layer: ${v}`);
  console.log(`${graph.size} files, ${cycles.length} cycle(s), ${violations.length} layer violation(s)`);
  process.exitCode = cycles.length || violations.length ? 1 : 0;
}
