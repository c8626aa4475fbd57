// Group 6: what the extension costs before it does anything. A production build into a temporary directory
// (the shared dist/ is left alone), its bundle sizes, activation time of that bundle in fresh Node processes
// with a stub `vscode` module (our code's cost: require + activate(), not VS Code's own extension-host work),
// and the memory of the event log holding 100,000 events.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventLog } from '../src/core/events/event-log.js';
import { round, roundSummary, settledMemoryUsed, summarize, type Summary } from './stats.js';

const root = join(__dirname, '..');
const ACTIVATION_RUNS = 9;
const EVENTS = 100_000;

/**
 * Runs in a fresh `node` (no tsx, no warm module cache). The stub answers every property with a callable,
 * constructible, extensible stand-in, so activate() runs through without a host; settings and state return
 * the defaults they are asked for, as an empty profile would.
 */
const ACTIVATION_SCRIPT = String.raw`
const Module = require('node:module');
const [bundlePath, extensionPath] = process.argv.slice(-2);
const { performance } = require('node:perf_hooks');
const noop = () => {};
function stub() {
  const cache = new Map();
  const proto = new Proxy({}, { get: (t, p) => (p in t ? t[p] : typeof p === 'symbol' || p === 'then' ? undefined : stub()) });
  return new Proxy(function () {}, {
    get(t, p) {
      if (p === 'prototype') return proto;
      if (typeof p === 'symbol' || p === 'then') return undefined;
      if (p === 'toString') return () => '';
      if (p === 'valueOf') return () => 0;
      if (!cache.has(p)) cache.set(p, stub());
      return cache.get(p);
    },
    set: (t, p, v) => (cache.set(p, v), true),
    apply: () => stub(),
    construct: (t, args, newTarget) => Reflect.construct(function () {}, args, newTarget),
  });
}
const memento = () => ({ get: (k, d) => d, update: async () => {}, keys: () => [], setKeysForSync: noop });
// A plain object with the API's top-level names: bundlers copy a module's own keys, which a Proxy has none of.
const api = {};
for (const name of ['window', 'commands', 'env', 'languages', 'lm', 'l10n', 'extensions', 'Uri', 'Disposable', 'EventEmitter',
  'TreeItem', 'ThemeIcon', 'ThemeColor', 'MarkdownString', 'TreeItemCollapsibleState', 'StatusBarAlignment', 'ViewColumn',
  'ProgressLocation', 'ConfigurationTarget', 'McpHttpServerDefinition', 'McpStdioServerDefinition', 'CancellationTokenSource',
  'Range', 'Position', 'Selection', 'RelativePattern', 'FileType', 'LogLevel', 'ExtensionMode']) api[name] = stub();
api.workspace = Object.assign(stub(), {
  getConfiguration: () => ({ get: (k, d) => d, has: () => false, inspect: () => undefined, update: async () => {} }),
  workspaceFolders: undefined,
  isTrusted: true,
});
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? api : load.call(this, request, ...rest);
};
const context = new Proxy(
  { subscriptions: [], extensionPath, globalState: memento(), workspaceState: memento(), secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: stub() }, extensionMode: 1 },
  { get: (t, p) => (p in t ? t[p] : typeof p === 'symbol' || p === 'then' ? undefined : stub()) },
);
const t0 = performance.now();
const extension = require(bundlePath);
const t1 = performance.now();
extension.activate(context);
const t2 = performance.now();
// The heavy core bundle is required on first use (first broker connection), after activation: timed apart.
require(require('node:path').join(require('node:path').dirname(bundlePath), 'extension-core.js'));
const t3 = performance.now();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, coreLoadMs: t3 - t2, subscriptions: context.subscriptions.length }));
process.exit(0);
`;

/** scripts/build.mjs builds into its own parent folder, so a copy of it beside symlinks builds into a temp dir. */
function productionBuild(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-build-'));
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(root, 'scripts/build.mjs'), join(dir, 'scripts/build.mjs'));
  for (const entry of ['src', 'webview', 'node_modules', 'package.json', 'tsconfig.json']) symlinkSync(join(root, entry), join(dir, entry));
  execFileSync(process.execPath, [join(dir, 'scripts/build.mjs'), '--production'], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ExtensionResult {
  activation_ms: number;
  activation: { requireMs: Summary; activateMs: Summary; totalMs: Summary; coreLoadMs: Summary; registeredDisposables: number };
  extension_bundle_bytes: number;
  bundles: Record<string, number>;
  /** Heap + ArrayBuffer bytes per event of a full 100,000-event log. */
  event_log_bytes_per_event: number;
  eventLog: { events: number; heapBytes: number; bytesPerEvent: number; pushMicroseconds: number };
}

export async function runExtension(log: (line: string) => void): Promise<ExtensionResult> {
  const build = productionBuild();
  try {
    const dist = join(build.dir, 'dist');
    const bundles: Record<string, number> = {
      'dist/extension.js': statSync(join(dist, 'extension.js')).size,
      'dist/extension-core.js': statSync(join(dist, 'extension-core.js')).size,
      'dist/cli.js': statSync(join(dist, 'cli.js')).size,
    };
    for (const f of readdirSync(join(dist, 'webview'))) bundles[`dist/webview/${f}`] = statSync(join(dist, 'webview', f)).size;
    log(`  bundles (production): ${Object.entries(bundles).map(([f, b]) => `${f} ${b}`).join(', ')}`);

    const requireMs: number[] = [];
    const activateMs: number[] = [];
    const totalMs: number[] = [];
    const coreLoadMs: number[] = [];
    let registeredDisposables = 0;
    for (let i = 0; i < ACTIVATION_RUNS; i++) {
      const out = execFileSync(process.execPath, ['-e', ACTIVATION_SCRIPT, join(dist, 'extension.js'), build.dir], { encoding: 'utf8', timeout: 30_000 });
      const r = JSON.parse(out) as { requireMs: number; activateMs: number; coreLoadMs: number; subscriptions: number };
      coreLoadMs.push(r.coreLoadMs);
      requireMs.push(r.requireMs);
      activateMs.push(r.activateMs);
      totalMs.push(r.requireMs + r.activateMs);
      registeredDisposables = r.subscriptions;
    }
    const total = roundSummary(summarize(totalMs), 2);
    log(`  activation (require + activate, stub vscode): median ${total.median} ms, max ${total.max} ms over ${ACTIVATION_RUNS} processes`);

    const eventLog = await measureEventLog();
    log(`  event log: ${EVENTS} events, ${eventLog.bytesPerEvent} bytes/event (${round(eventLog.heapBytes / 2 ** 20, 1)} MiB)`);
    return {
      activation_ms: total.median,
      activation: { requireMs: roundSummary(summarize(requireMs), 2), activateMs: roundSummary(summarize(activateMs), 2), totalMs: total, coreLoadMs: roundSummary(summarize(coreLoadMs), 2), registeredDisposables },
      // Everything the extension host may load: the entry and the core it requires on first use.
      extension_bundle_bytes: (bundles['dist/extension.js'] as number) + (bundles['dist/extension-core.js'] as number),
      bundles,
      event_log_bytes_per_event: eventLog.bytesPerEvent,
      eventLog,
    };
  } finally {
    build.cleanup();
  }
}

/** Events shaped like the transport's own (request/response with topic, user properties and a small payload). */
export async function measureEventLog(): Promise<ExtensionResult['eventLog']> {
  const before = await settledMemoryUsed();
  const events = new EventLog(EVENTS);
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const out = i % 2 === 0;
    events.push({
      kind: out ? 'request' : 'response',
      summary: out ? `→ tools/call add (#${i})` : `← result (#${i - 1})`,
      level: 'info',
      broker: 'mqtt://127.0.0.1:1883',
      serverName: `building-a/floor-${i % 10}/thermostat`,
      serverId: `dev-${i % 100}`,
      clientId: 'mqtt-mcp-0123456789',
      direction: out ? 'out' : 'in',
      topic: `$mcp-rpc/mqtt-mcp-0123456789/dev-${i % 100}/building-a/floor-${i % 10}/thermostat`,
      method: out ? 'tools/call' : undefined,
      rpcId: out ? i : i - 1,
      userProperties: { 'MCP-COMPONENT-TYPE': out ? 'mcp-client' : 'mcp-server', 'MCP-MQTT-CLIENT-ID': out ? 'mqtt-mcp-0123456789' : `dev-${i % 100}` },
      size: 120,
      latencyMs: out ? undefined : 0.4,
      source: 'invoker',
      payload: out
        ? { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'add', arguments: { a: i, b: 2 } } }
        : { jsonrpc: '2.0', id: i - 1, result: { content: [{ type: 'text', text: String(i + 1) }] } },
    });
  }
  const pushMicroseconds = round(((performance.now() - t0) * 1000) / EVENTS, 2);
  const after = await settledMemoryUsed();
  if (events.size !== EVENTS) throw new Error(`event log holds ${events.size} events, expected ${EVENTS}`);
  const heapBytes = after - before;
  return { events: EVENTS, heapBytes, bytesPerEvent: Math.round(heapBytes / EVENTS), pushMicroseconds };
}
