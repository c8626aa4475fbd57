// `npm test`: type-check, lint, build, then the Node test suites (unit + integration against real brokers),
// then the real-VS-Code suite (code-server + Chromium) when its prerequisites exist.
// Flags: --only unit|vscode|reliability  --skip-static   (anything else is passed to node --test as file filters)
// test/reliability: the fast files run with every `npm test`; `*.slow.test.ts` only with --only reliability
// (`npm run test:reliability`, which runs every file there). See RELIABILITY.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const skipStatic = args.includes('--skip-static') || only === 'vscode' || only === 'reliability';
const filters = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');

function run(title, cmd, cmdArgs, opts = {}) {
  const started = Date.now();
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  console.log(`=== ${title}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return r.status === 0;
}

function findTests(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

let ok = true;
if (!skipStatic) {
  ok = run('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit']) && ok;
  ok = run('lint', 'npx', ['eslint', '.']) && ok;
}
ok = run('build', process.execPath, ['scripts/build.mjs']) && ok;

if (only === 'reliability') {
  let files = findTests(join(root, 'test/reliability'));
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
  ok = run(`reliability tests (${files.length} files)`, process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files]) && ok;
} else if (only !== 'vscode') {
  let files = [
    ...findTests(join(root, 'test/unit')),
    ...findTests(join(root, 'test/integration')),
    ...findTests(join(root, 'test/reliability')).filter((f) => !f.endsWith('.slow.test.ts')),
  ];
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
  // Scaffold tests install generated projects from the npm registry and compile them (tsc, cmake): the
  // per-file limit of 120 s would cut them off on a loaded machine, so they run on their own, with more.
  const slow = files.filter((f) => /scaffold-[^/]*\.test\.ts$/.test(f));
  const fast = files.filter((f) => !slow.includes(f));
  // Test files are mostly waiting on sockets, so run more of them than there are cores. The limit also bounds
  // each file as a whole, so it is a hang guard: the conformance corpus takes over 3 minutes per broker.
  ok = run(`node tests (${fast.length} files)`, process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=4', '--test-timeout=420000', ...fast]) && ok;
  if (slow.length) {
    ok = run(`scaffold tests (${slow.length} files)`, process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=900000', ...slow]) && ok;
  }
}
// File filters select Node test files; the real-VS-Code phase runs only unfiltered or with --only vscode.
if (only !== 'unit' && only !== 'reliability' && (filters.length === 0 || only === 'vscode') && existsSync(join(root, 'test/vscode/run.mjs'))) {
  ok = run('real VS Code (code-server)', process.execPath, ['test/vscode/run.mjs']) && ok;
}
console.log(ok ? '\nall test phases passed' : '\nsome test phases FAILED');
process.exit(ok ? 0 : 1);
