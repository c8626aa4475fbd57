// `npm test`: type-check, lint and build (side by side), then the Node test suites (unit + integration against
// real brokers) and, beside them, the real-VS-Code suite (code-server + Chromium) when its prerequisites exist.
// The real-VS-Code phase is the longest, and mostly waits on the UI: it starts as soon as it can, and the Node
// tests fill the CPU it leaves idle. On a fresh machine the code-server set-up (scripts/vscode-setup.mjs: ~600 MB
// from the npm registry, native modules compiled; about 3 minutes) comes first on that path: it starts at the
// very beginning, beside everything else.
// Flags: --only unit|vscode|reliability  --skip-static   (anything else is passed to node --test as file filters)
// test/reliability: the fast files run with every `npm test`; `*.slow.test.ts` only with --only reliability
// (`npm run test:reliability`, which runs every file there). See RELIABILITY.md.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedSetup } from './vscode-setup.mjs';
import { slowestLines } from './test-durations.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const skipStatic = args.includes('--skip-static') || only === 'vscode' || only === 'reliability';
const filters = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');

/** Runs a phase with its output on this terminal, without blocking: phases started beside it start and end meanwhile. */
function runLive(title, cmd, cmdArgs) {
  const started = Date.now();
  console.log(`\n=== ${title}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
    const done = (code, error) => {
      if (error) console.log(error.stack ?? String(error));
      console.log(`=== ${title}: ${code === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      resolve(code === 0);
    };
    child.once('error', (err) => done(1, err));
    child.once('close', (code) => done(code));
  });
}

/**
 * Like runLive(), but the output goes to a file and is printed in one piece when the process ends, so a phase
 * can run beside another without their lines interleaving. Resolves to whether it passed, and the printer.
 */
function runBeside(title, cmd, cmdArgs, { beside = 'the next phase', announce = true } = {}) {
  const started = Date.now();
  if (announce) console.log(`\n=== ${title}: started beside ${beside} (its output follows when it ends)`);
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-test-'));
  const logFile = join(dir, 'output.log');
  const fd = openSync(logFile, 'w');
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', fd, fd] });
    const done = (code, error) => {
      const took = ((Date.now() - started) / 1000).toFixed(1);
      closeSync(fd);
      resolve({
        ok: code === 0,
        report: () => {
          console.log(`\n=== ${title}`);
          process.stdout.write(readFileSync(logFile));
          if (error) console.log(error.stack ?? String(error));
          rmSync(dir, { recursive: true, force: true });
          console.log(`=== ${title}: ${code === 0 ? 'ok' : 'FAILED'} (${took} s, beside ${beside})`);
        },
      });
    };
    child.once('error', (err) => done(1, err));
    child.once('close', (code) => done(code));
  });
}

// node --test starts files in the order given, four at a time. Alphabetically the longest files came last (the
// reliability CLI file, ~90 s, started after everything else and ran on alone at the end); started first, they
// overlap the many short files instead. Measured on the 2-core machine; a stale entry only costs the ordering.
const LONGEST_FILES = [
  'test/reliability/cli.test.ts', 'test/integration/conformance-', 'test/reliability/broker-fuzz.test.ts',
  'test/integration/discovery-', 'test/integration/simulator.test.ts', 'test/integration/bridge.test.ts',
];
function longestFirst(files) {
  const rank = (f) => {
    const i = LONGEST_FILES.findIndex((prefix) => f.startsWith(prefix));
    return i < 0 ? LONGEST_FILES.length : i;
  };
  return [...files].sort((a, b) => rank(a) - rank(b)); // stable: the rest stay in alphabetical order
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

/** Prints and returns whether every started phase passed, in the order they were started. */
async function reportAll(started) {
  let passed = true;
  for (const outcome of await Promise.all(started)) {
    outcome.report();
    passed = outcome.ok && passed;
  }
  return passed;
}

// File filters select Node test files; the real-VS-Code phase runs only unfiltered or with --only vscode.
const runVsCode = only !== 'unit' && only !== 'reliability' && (filters.length === 0 || only === 'vscode') &&
  existsSync(join(root, 'test/vscode/run.mjs'));
// Not part of the verdict by itself: if it fails, the real-VS-Code phase tries again and reports (and under CI=true
// fails) what is missing.
const vsCodeSetup = runVsCode && !cachedSetup()
  ? runBeside('code-server set-up (first run)', process.execPath, ['scripts/vscode-setup.mjs'], { beside: 'the other phases' })
  : undefined;

let ok = true;
// tsc and eslint are each one busy thread (and esbuild takes seconds): side by side they fill the two cores.
// None writes what another reads (dist/ is outside the type-checked and linted files).
ok = await reportAll([
  ...(skipStatic ? [] : [
    runBeside('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit'], { beside: 'lint and build' }),
    runBeside('lint', 'npx', ['eslint', '.'], { beside: 'typecheck and build' }),
  ]),
  runBeside('build', process.execPath, ['scripts/build.mjs'], { beside: skipStatic ? 'nothing' : 'typecheck and lint' }),
]) && ok;

const runNodeTests = only !== 'vscode';
// Started now, beside the Node tests (its output follows when it ends); alone, it prints as it goes.
const vsCodePhase = runVsCode ? startVsCodePhase() : undefined;

async function startVsCodePhase() {
  const setup = vsCodeSetup && (await vsCodeSetup); // no await without a set-up: the phase starts (and says so) first
  const reportSetup = () => {
    setup?.report();
    if (setup && !setup.ok) console.log('(the real-VS-Code phase tries the set-up again and says what is missing)');
  };
  const title = 'real VS Code (code-server)';
  const args = ['test/vscode/run.mjs'];
  if (!runNodeTests) {
    reportSetup();
    return { ok: await runLive(title, process.execPath, args), report: () => {} };
  }
  // Once the set-up has kept it waiting, the Node tests are printing: say nothing until they are done.
  const phase = await runBeside(title, process.execPath, args, { beside: 'the node tests', announce: !setup });
  return { ok: phase.ok, report: () => (reportSetup(), phase.report()) };
}

if (only === 'reliability') {
  let files = findTests(join(root, 'test/reliability'));
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
  ok = await runLive(`reliability tests (${files.length} files)`, process.execPath,
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
  const fast = longestFirst(files.filter((f) => !slow.includes(f)));
  const scaffold = slow.length
    ? runBeside(`scaffold tests (${slow.length} files)`, process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=900000', ...slow], { beside: 'the node tests' })
    : undefined;
  // Test files are mostly waiting on sockets, so run more of them than there are cores. The limit also bounds
  // each file as a whole, so it is a hang guard.
  const tapDir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-test-tap-'));
  const tapFile = join(tapDir, 'node-tests.tap');
  ok = await runLive(`node tests (${fast.length} files)`, process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=4', '--test-timeout=420000',
      // The reporter node picks by default (spec on a terminal, TAP on a pipe), plus TAP into a file for the summary.
      `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
      ...fast]) && ok;
  // Where the phase's time went: the slowest top-level suites (a file has one or a few; four files run at a time).
  const slowest = slowestLines(tapFile, { depth: 0, count: 12 });
  if (slowest.length) console.log(`slowest node test suites:\n${slowest.join('\n')}`);
  rmSync(tapDir, { recursive: true, force: true });
  if (scaffold) {
    const outcome = await scaffold;
    outcome.report();
    ok = outcome.ok && ok;
  }
}
if (vsCodePhase) {
  if (runNodeTests) console.log('\n=== waiting for the real-VS-Code phase started beside the node tests ...');
  const outcome = await vsCodePhase;
  outcome.report();
  ok = outcome.ok && ok;
}
console.log(ok ? '\nall test phases passed' : '\nsome test phases FAILED');
process.exit(ok ? 0 : 1);
