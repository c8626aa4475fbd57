// The real-VS-Code phase of `npm test` (scripts/test.mjs runs it last; `npm run test:vscode` runs only it).
// Set-up (cached) -> build -> fixtures -> one code-server + one Chromium -> extension-host suite -> UI tests
// -> the packaged .vsix installed into a second code-server -> its smoke tests (test/vscode/installed/).
// Ends with the line `N passed, N failed` (CI reads it) and exits non-zero on any failure.
//
//   node test/vscode/run.mjs [--ext-host-only | --ui-only | --installed-only] [UI test file filter ...]
// Environment:
//   CI=true                  a missing prerequisite fails the phase instead of skipping it
//   VSCODE_E2E_GREP          only extension-host tests whose full title matches (mocha grep)
//   VSCODE_E2E_TIMEOUT_MS    whole-phase limit after set-up (default 30 minutes: it only catches a hang; a loaded
//                            machine makes a normal 4-minute phase take 15 or more)
//   VSCODE_E2E_KEEP=1        keep code-server's temp folder (user data, logs) for inspection
//   CHROMIUM_PATH            browser binary (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import { cachedSetup, ensureVsCodeSetup } from '../../scripts/vscode-setup.mjs';
import { slowestLines } from '../../scripts/test-durations.mjs';
import { buildExtensionTestSuite } from './build-suite.mjs';
import { startFixtures } from './fixtures.mjs';
import {
  INSTALLED_ENV, SESSION_ENV, chromiumPath, packageLmProvider, describeSession, killGroupOnExit, launchBrowserServer, removeOnExit, repoRoot, runExtensionTests,
  screenshotDir, startCodeServer,
} from './harness.mjs';

const args = process.argv.slice(2);
const installedOnly = args.includes('--installed-only');
const runExtHost = !args.includes('--ui-only') && !installedOnly;
const runUi = !args.includes('--ext-host-only') && !installedOnly;
const uiFilters = args.filter((a) => !a.startsWith('--'));
// The installed-.vsix smoke tests belong to a whole run (they package the extension first), or run alone.
const runInstalled = installedOnly || (runExtHost && runUi && !uiFilters.length);
const ci = /^(1|true)$/i.test(process.env.CI ?? '');
const phaseTimeoutMs = Number(process.env.VSCODE_E2E_TIMEOUT_MS) || 30 * 60_000;
const phaseStarted = Date.now();
const counts = { passed: 0, failed: 0 };

const log = (line) => console.log(`[vscode-e2e] ${line}`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function finish(exitCode, note) {
  console.log(`${counts.passed} passed, ${counts.failed} failed${note ? ` (${note})` : ''}`);
  process.exit(exitCode);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** What is missing to run the phase, each with how to get it. */
function missingPrerequisites() {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push(`Chromium at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (cachedSetup()) return missing;
  // First set-up: code-server's native modules are compiled, and everything comes from the npm registry.
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/krb5.h')) {
    missing.push('Kerberos headers for code-server\'s native module: apt-get install -y libkrb5-dev');
  }
  for (const tool of ['make', 'g++', 'python3']) {
    if (!onPath(tool)) missing.push(`${tool} (node-gyp builds code-server's native modules): apt-get install -y build-essential python3`);
  }
  const ping = spawnSync('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=10000'], { encoding: 'utf8', timeout: 30_000 });
  if (ping.status !== 0) {
    missing.push('the npm registry (first set-up downloads Node 24 and code-server, ~600 MB): check network/proxy, ' +
      'or pre-fill .cache/vscode-e2e/ with `node scripts/vscode-setup.mjs` where the registry is reachable');
  }
  return missing;
}

/** Runs a child in its own process group, which is killed if this phase is interrupted or times out. */
function runProcess(cmd, cmdArgs, opts) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, cmdArgs, { stdio: 'inherit', detached: true, ...opts });
    const forget = killGroupOnExit(child.pid);
    child.on('error', (err) => resolvePromise({ code: 1, error: err }));
    child.on('close', (code, signal) => {
      forget();
      resolvePromise({ code: code ?? 1, signal });
    });
  });
}

async function runExtensionHostSuite(server, browser, suiteBuilt) {
  const started = Date.now();
  const extensionTestsPath = await suiteBuilt;
  log('extension-host tests ...');
  const { exitCode, logs, consoleLogPath } = await runExtensionTests(server, browser, { extensionTestsPath, timeout: 300_000 });
  const resultLine = logs.map((line) => /\[extension-tests\] RESULT (\{.*\})/.exec(line)).find(Boolean);
  const result = resultLine ? JSON.parse(resultLine[1]) : undefined;
  counts.passed += result?.passed ?? 0;
  counts.failed += result?.failed ?? 0;
  // A suite that never reported (timeout, a module that does not load) or exited badly is a failure of its own.
  if (exitCode !== 0 && !result?.failed) counts.failed += 1;
  log(`extension-host tests: ${exitCode === 0 ? 'ok' : `FAILED (exit ${exitCode}; window console: ${consoleLogPath})`} (${seconds(started)})`);
}

function uiTestFiles(folder, filters = []) {
  const dir = join(repoRoot, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.test.mjs')).sort()
    .map((name) => join(folder, name))
    .filter((file) => !filters.length || filters.some((f) => file.includes(f)));
}

async function runUiTests(session, env, tempDir, files, title = 'UI tests') {
  if (!files.length) return log(`no ${title} files selected`);
  const started = Date.now();
  const tapFile = join(tempDir, `${title.replace(/\W+/g, '-')}.tap`);
  log(`${title} (${files.length} files, one at a time on the shared code-server) ...`);
  // Spec output for people, TAP into a file for the counts.
  const { code } = await runProcess(process.execPath, [
    // --test-timeout also bounds each file as a whole, so it is a hang guard only: each wait inside a test has
    // its own limit and reason.
    '--test', '--test-concurrency=1', '--test-timeout=900000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ], { cwd: repoRoot, env: { ...process.env, ...env, [SESSION_ENV]: session } });
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  // The TAP stream ends with one summary block (`# pass N`, `# fail N`, ...).
  const total = (name) => Number([...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
  const failed = total('fail') + total('cancelled');
  counts.passed += total('pass');
  counts.failed += failed;
  if (code !== 0 && failed === 0) counts.failed += 1; // e.g. a file that crashed before reporting
  // The UI test files have their tests at the top level (node:test reports no point per file).
  const slowest = slowestLines(tapFile, { depth: 0, count: 10 });
  if (slowest.length) log(`${title}, the slowest tests:\n${slowest.join('\n')}`);
  log(`${title}: ${code === 0 ? 'ok' : 'FAILED'} (${seconds(started)})`);
}

/** `npm run package` into tempDir: the production bundles and vsce, as a release is made. Returns the .vsix path. */
function packageExtension(tempDir) {
  const vsix = join(tempDir, 'mqtt-mcp-devkit.vsix');
  const steps = [
    [process.execPath, ['scripts/build.mjs', '--production']],
    [process.execPath, [join(repoRoot, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', vsix]],
    // Back to the development bundles (source maps) for whatever runs after this phase.
    [process.execPath, ['scripts/build.mjs']],
  ];
  for (const [cmd, cmdArgs] of steps) {
    const r = spawnSync(cmd, cmdArgs, { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`packaging failed at \`${cmdArgs.join(' ')}\`:\n${r.stdout}${r.stderr}`);
  }
  return vsix;
}

/** The packaged extension installed into its own code-server (nothing of the source tree loaded), and its smoke tests. */
async function runInstalledSmoke(fixtures, browserServer, tempDir, cleanups) {
  const started = Date.now();
  const vsix = packageExtension(tempDir);
  log(`packaged ${vsix} (${seconds(started)})`);
  const server = await startCodeServer({ settings: fixtures.userSettings, env: fixtures.env, log, installExtensions: [vsix] });
  cleanups.push(() => server.stop());
  await runUiTests(describeSession(server, browserServer), { ...fixtures.env, [INSTALLED_ENV]: '1', VSCODE_E2E_VSIX: vsix },
    tempDir, uiTestFiles('test/vscode/installed'), 'installed .vsix smoke tests');
}

async function main() {
  const missing = missingPrerequisites();
  if (missing.length) {
    const list = missing.map((m) => `  - ${m}`).join('\n');
    if (ci) {
      console.error(`[vscode-e2e] FAILED: prerequisites missing (CI=true makes this a failure, not a skip):\n${list}`);
      counts.failed += 1;
      return finish(1, 'prerequisites missing');
    }
    log(`SKIPPED the real VS Code tests; to run them, provide:\n${list}\n` +
      '  then run `npm run test:vscode` (first set-up takes about 3 minutes and is cached in .cache/vscode-e2e/)');
    return finish(0, 'skipped: prerequisites missing');
  }

  const setupStarted = Date.now();
  await ensureVsCodeSetup({ log });
  log(`set-up ready (${seconds(setupStarted)})`);

  // The phase limit starts after set-up, whose first run may legitimately take minutes.
  const watchdog = setTimeout(() => {
    console.error(`[vscode-e2e] FAILED: the phase took longer than ${phaseTimeoutMs / 1000} s; stopping`);
    counts.failed += 1;
    finish(1, 'timeout'); // exit handlers of the harness and Playwright kill code-server and Chromium
  }, phaseTimeoutMs);

  // scripts/test.mjs builds before this phase; building again costs a second and makes a lone run safe.
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) {
    counts.failed += 1;
    return finish(1, 'extension build failed');
  }
  rmSync(screenshotDir, { recursive: true, force: true }); // screenshots and logs of this run only

  const tempDir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-vscode-run-'));
  removeOnExit(tempDir);
  const cleanups = [];
  try {
    // Independent start-ups overlap: Chromium and the suite bundle while the fixtures and code-server start.
    const startStarted = Date.now();
    const browserStarting = launchBrowserServer().then((b) => (cleanups.push(() => b.close()), b));
    const suiteBuilt = runExtHost ? buildExtensionTestSuite() : undefined;
    suiteBuilt?.catch(() => undefined); // reported where it is awaited
    browserStarting.catch(() => undefined);
    const fixtures = await startFixtures({ log, tempDir });
    cleanups.push(() => fixtures.stop());
    log(`fixtures: ${fixtures.description}`);
    if (runExtHost || runUi) {
      // The test language model (device-requests UI test) is installed like any extension: the web workbench
      // loads only one extensionDevelopmentPath, which is ours.
      const installExtensions = runUi ? [packageLmProvider(tempDir)] : [];
      const server = await startCodeServer({ settings: fixtures.userSettings, env: fixtures.env, log, installExtensions });
      cleanups.push(() => server.stop());
      const browserServer = await browserStarting;
      const browser = await chromium.connect(browserServer.wsEndpoint());
      cleanups.push(() => browser.close());
      log(`code-server and Chromium up (${seconds(startStarted)})`);
      if (runExtHost) {
        // A broken extension-host run is one failure; the UI tests still run and report their own results.
        await runExtensionHostSuite(server, browser, suiteBuilt).catch((err) => {
          console.error(`[vscode-e2e] extension-host tests FAILED: ${err.stack ?? err}`);
          counts.failed += 1;
        });
      }
      if (runUi) await runUiTests(describeSession(server, browserServer), fixtures.env, tempDir, uiTestFiles('test/vscode/ui', uiFilters));
    }
    if (runInstalled) await runInstalledSmoke(fixtures, await browserStarting, tempDir, cleanups);
  } catch (err) {
    console.error(`[vscode-e2e] FAILED: ${err.stack ?? err}`);
    counts.failed += 1;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err) => console.error(`[vscode-e2e] clean-up: ${err.message}`));
    }
    rmSync(tempDir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
  log(`screenshots and logs: ${screenshotDir}`);
  finish(counts.failed ? 1 : 0, `real VS Code, ${seconds(phaseStarted)}`);
}

main().catch((err) => {
  console.error(`[vscode-e2e] FAILED: ${err.stack ?? err}`);
  counts.failed += 1;
  finish(1);
});
