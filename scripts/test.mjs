// `npm test`: type-check, lint, build, then the Node test suites (unit + integration against real brokers),
// then the real-VS-Code suite (code-server + Chromium) when its prerequisites exist.
// Flags: --only unit|vscode|reliability  --skip-static   (anything else is passed to node --test as file filters)
// test/reliability: the fast files run with every `npm test`; `*.slow.test.ts` only with --only reliability
// (`npm run test:reliability`, which runs every file there). See RELIABILITY.md.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * Like run(), without waiting: the output goes to a file and is printed in one piece when the process ends, so
 * a phase can run beside another without their lines interleaving (a file, not a pipe: the next phase runs
 * with spawnSync, which would leave a pipe undrained). Resolves to whether it passed, and the printer.
 */
function runBeside(title, cmd, cmdArgs) {
  const started = Date.now();
  console.log(`\n=== ${title}: started beside the next phase (its output follows when it ends)`);
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-test-'));
  const logFile = join(dir, 'output.log');
  const fd = openSync(logFile, 'w');
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', fd, fd] });
    const done = (code, error) => {
      closeSync(fd);
      resolve({
        ok: code === 0,
        report: () => {
          console.log(`\n=== ${title}`);
          process.stdout.write(readFileSync(logFile));
          if (error) console.log(error.stack ?? String(error));
          rmSync(dir, { recursive: true, force: true });
          console.log(`=== ${title}: ${code === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s, beside the node tests)`);
        },
      });
    };
    child.once('error', (err) => done(1, err));
    child.once('close', (code) => done(code));
  });
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
  // Scaffold tests install generated projects from the npm registry and compile them (tsc, cmake): they get a
  // longer per-file limit of their own, and run one file at a time beside the other files, which mostly wait
  // on sockets, so the two together fill two cores without waiting for each other.
  const slow = files.filter((f) => /scaffold-[^/]*\.test\.ts$/.test(f));
  const fast = files.filter((f) => !slow.includes(f));
  const scaffold = slow.length
    ? runBeside(`scaffold tests (${slow.length} files)`, process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=900000', ...slow])
    : undefined;
  // Test files are mostly waiting on sockets, so run more of them than there are cores. The limit also bounds
  // each file as a whole, so it is a hang guard.
  ok = run(`node tests (${fast.length} files)`, process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=4', '--test-timeout=420000', ...fast]) && ok;
  if (scaffold) {
    const outcome = await scaffold;
    outcome.report();
    ok = outcome.ok && ok;
  }
}
// File filters select Node test files; the real-VS-Code phase runs only unfiltered or with --only vscode.
if (only !== 'unit' && only !== 'reliability' && (filters.length === 0 || only === 'vscode') && existsSync(join(root, 'test/vscode/run.mjs'))) {
  ok = run('real VS Code (code-server)', process.execPath, ['test/vscode/run.mjs']) && ok;
}
console.log(ok ? '\nall test phases passed' : '\nsome test phases FAILED');
process.exit(ok ? 0 : 1);
