// `npm run bench`: runs every group once, in one process, and writes bench/results.json (headline keys first,
// then each group's detail) and the results section of BENCHMARKS.md. `--only rpc,broker` runs some groups
// and merges them into the existing results, for iterating on one measurement.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hasGc, machineInfo, type MachineInfo, type Summary } from './stats.js';
import { runRpc, type RpcResult } from './rpc.js';
import { runGateway, type GatewayResult } from './gateway.js';
import { runThroughput, type ThroughputResult } from './throughput.js';
import { runDiscovery, type DiscoveryResult } from './discovery.js';
import { runBroker, type BrokerResult } from './broker.js';
import { runExtension, type ExtensionResult } from './extension.js';
import { runFleet, type FleetResult } from './fleet.js';

const root = join(__dirname, '..');
const resultsPath = join(root, 'bench/results.json');
const markdownPath = join(root, 'BENCHMARKS.md');
/** The whole run must stay within a few minutes; past this something hangs, and the process says so and exits. */
const HARD_LIMIT_MS = 12 * 60_000;

type Log = (line: string) => void;
const groups: Record<string, (log: Log) => Promise<object>> = {
  rpc: runRpc,
  gateway: runGateway,
  throughput: runThroughput,
  discovery: runDiscovery,
  broker: runBroker,
  extension: runExtension,
  fleet: runFleet,
};

async function main(): Promise<void> {
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : Object.keys(groups);
  for (const name of only) if (!groups[name]) throw new Error(`unknown group "${name}" (groups: ${Object.keys(groups).join(', ')})`);
  if (!hasGc()) console.log('note: run with --expose-gc for exact memory figures (npm run bench does)');
  const watchdog = setTimeout(() => {
    console.error(`benchmark still running after ${HARD_LIMIT_MS / 60_000} minutes: giving up`);
    process.exit(2);
  }, HARD_LIMIT_MS);
  watchdog.unref();

  const previous = onlyArg >= 0 && existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as { groups?: Record<string, object> }) : {};
  const detail: Record<string, object> = { ...previous.groups };
  const started = performance.now();
  for (const name of only) {
    const t0 = performance.now();
    console.log(`[${name}]`);
    detail[name] = await groups[name]!((line) => console.log(line));
    console.log(`[${name}] ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const pick = (group: string, key: string): number | undefined => (detail[group] as Record<string, number> | undefined)?.[key];
  const headline: Record<string, number | undefined> = {};
  for (const t of TARGETS) headline[t.key] = pick(t.group, t.key);
  for (const k of REPORTED) headline[k.key] = pick(k.group, k.key);
  const results = {
    ...headline,
    date: new Date().toISOString(),
    machine: machineInfo(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    partial: onlyArg >= 0 ? only : undefined,
    targets: Object.fromEntries(TARGETS.map((t) => [t.key, { target: `${t.op} ${t.limit}`, pass: t.pass(headline[t.key]) }])),
    groups: detail,
  };
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  updateMarkdown(renderMarkdown(results));
  console.log(`wrote ${resultsPath} and the results section of ${markdownPath} in ${results.durationSeconds} s`);
}

const START = '<!-- results:start (written by npm run bench) -->';
const END = '<!-- results:end -->';

function updateMarkdown(section: string): void {
  const text = existsSync(markdownPath) ? readFileSync(markdownPath, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md lacks the ${START} ... ${END} markers`);
  writeFileSync(markdownPath, `${text.slice(0, from + START.length)}\n${section}\n${text.slice(to)}`);
}

interface Target {
  key: string;
  group: string;
  op: '≤' | '≥';
  limit: number;
  pass(value: number | undefined): boolean;
}

const target = (key: string, group: string, op: '≤' | '≥', limit: number): Target => ({
  key,
  group,
  op,
  limit,
  pass: (v) => v !== undefined && (op === '≤' ? v <= limit : v >= limit),
});

const TARGETS: Target[] = [
  target('rpc_overhead_ratio', 'rpc', '≤', 1.2),
  target('rpc_full_stack_ratio', 'rpc', '≤', 1.2),
  target('gateway_overhead_ms', 'gateway', '≤', 1),
  target('discovery_10k_ratio', 'discovery', '≤', 1.5),
  target('broker_throughput_ratio', 'broker', '≥', 0.5),
  target('activation_ms', 'extension', '≤', 50),
  target('extension_bundle_bytes', 'extension', '≤', 1_500_000),
  target('heap_bytes_per_server_100k', 'fleet', '≤', 600),
  target('find_device_ms_100k', 'fleet', '≤', 100),
  target('event_log_bytes_per_event', 'extension', '≤', 300),
];

/** Headline figures without a target of their own (the issue asks for them to be recorded). */
const REPORTED: { key: string; group: string }[] = [
  { key: 'gateway_stand_in_overhead_ms', group: 'gateway' },
  { key: 'discovery_100k_ms', group: 'fleet' },
  { key: 'fleet_call_overhead_ratio', group: 'fleet' },
  { key: 'tree_expand_ms_100k', group: 'fleet' },
  { key: 'tree_expand_10k_folder_ms', group: 'fleet' },
];

interface Results {
  date: string;
  machine: MachineInfo;
  durationSeconds: number;
  groups: Record<string, object>;
  [key: string]: unknown;
}

const ms = (s: Summary): string => `${s.median} / ${s.p99}`;

/** The generated part of BENCHMARKS.md: every number of the latest run, grouped as in results.json. */
function renderMarkdown(r: Results): string {
  const m = r.machine;
  const g = r.groups as { rpc?: RpcResult; gateway?: GatewayResult; throughput?: ThroughputResult; discovery?: DiscoveryResult; broker?: BrokerResult; extension?: ExtensionResult; fleet?: FleetResult };
  const out: string[] = [
    `Run ${r.date} in ${r.durationSeconds} s on ${m.nproc} CPU(s) (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, Mosquitto ${m.mosquitto}, ${m.platform}.`,
    '',
    '| target | result | limit | pass |',
    '| --- | --- | --- | --- |',
    ...TARGETS.map((t) => `| \`${t.key}\` | ${String(r[t.key] ?? 'not run')} | ${t.op} ${t.limit} | ${t.pass(r[t.key] as number | undefined) ? 'yes' : '**no**'} |`),
  ];
  if (g.rpc) {
    out.push('', '### 1. Tool-call round trip (ms, median / p99)', '');
    const names = Object.keys(g.rpc.brokers[0]?.variants ?? {});
    out.push(`| broker | ${names.join(' | ')} | ours / raw | our client alone / raw |`, `| --- |${names.map(() => ' --- |').join('')} --- | --- |`);
    for (const b of g.rpc.brokers) out.push(`| ${b.broker} | ${names.map((n) => `${ms(b.variants[n] as Summary)} (n=${b.variants[n]?.n})`).join(' | ')} | ${b.overheadRatio} | ${b.clientOverheadRatio} |`);
    const rr = g.rpc.brokers.find((b) => b.mosquittoRr)?.mosquittoRr;
    if (rr) out.push('', `mosquitto_rr cross-check (Mosquitto with set_tcp_nodelay true, --nodelay, QoS 1, ${rr.runs} runs, medians of process wall time): mosquitto_rr ${rr.rrWallMs} ms, mosquitto_pub ${rr.pubWallMs} ms, difference (one SUBSCRIBE + one request/response) ${rr.rrMinusPubMs} ms.`);
  }
  if (g.gateway) {
    out.push('', '### 2. Agent path through the gateway (ms, median / p99)', '', '| broker | SDK Client → MQTT → device | SDK Client → gateway (HTTP) → MQTT → device | added by the gateway (medians) | SDK Client → minimal stand-in (HTTP) → MQTT → device | added by the stand-in | gateway beyond the stand-in | SDK Client → Streamable HTTP → SDK Server, no MQTT (SSE answers, the SDK default) | the same, SDK JSON response mode |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const b of g.gateway.brokers) out.push(`| ${b.broker} | ${ms(b.direct)} (n=${b.direct.n}) | ${ms(b.viaGateway)} (n=${b.viaGateway.n}) | ${b.gatewayOverheadMs} | ${b.viaStandIn ? ms(b.viaStandIn) : 'not run'} | ${b.standInOverheadMs ?? 'not run'} | ${b.gatewayBeyondStandInMs ?? 'not run'} | ${ms(b.httpOnly)} | ${b.httpOnlyJson ? ms(b.httpOnlyJson) : 'not run'} |`);
  }
  if (g.throughput) {
    out.push('', '### 3. Throughput (tools/call per second, closed loop, one client connection per session)', '', '| broker | sessions | ours | raw MQTT.js | ours / raw |', '| --- | --- | --- | --- | --- |');
    for (const row of g.throughput.rows) out.push(`| ${row.broker} | ${row.sessions} | ${row.oursCallsPerSecond} | ${row.rawCallsPerSecond} | ${row.ratio} |`);
  }
  if (g.discovery) {
    out.push('', '### 4. Discovery from retained presence (ms, median of 5)', '', '| broker | servers | McpMqttClient.connect() | raw subscriber (count only) | ratio | raw subscriber + JSON.parse into a Map | ratio | heap bytes per server |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const row of g.discovery.rows) out.push(`| ${row.broker} | ${row.servers} | ${row.oursMs} | ${row.rawMs} | ${row.ratio} | ${row.rawParsingMs} | ${row.ratioToRawParsing} | ${row.heapBytesPerServer ?? '?'} |`);
    if (!g.discovery.heapMeasuredWithGc) out.push('', 'Heap measured without --expose-gc: figures include garbage.');
  }
  if (g.broker) {
    out.push('', '### 5. Embedded broker against Mosquitto (each in its own process)', '', '| broker | QoS | subscribers | msg/s (each subscriber) | delivered/s | lost | latency ms (median / p99) |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of g.broker.rows) out.push(`| ${row.broker} | ${row.qos} | ${row.subscribers} | ${row.messagesPerSecond} | ${row.deliveredPerSecond} | ${row.lost} | ${ms(row.latencyMs)} |`);
    out.push('', `Ratios embedded / Mosquitto: ${Object.entries(g.broker.ratios).map(([k, v]) => `${k} ${v}`).join(', ')} (latency ratios: below 1 is faster).`);
  }
  if (g.extension) {
    const e = g.extension;
    out.push(
      '',
      '### 6. Extension',
      '',
      `Activation with a stub \`vscode\` (our code only, not VS Code's extension host), ${e.activation.totalMs.n} fresh processes, ms median / max: require ${e.activation.requireMs.median} / ${e.activation.requireMs.max}, activate() ${e.activation.activateMs.median} / ${e.activation.activateMs.max}, total ${e.activation.totalMs.median} / ${e.activation.totalMs.max}; ${e.activation.registeredDisposables} disposables registered. The core bundle (MCP SDK, MQTT.js, ajv...) is not part of activation: it is required on first use, after activate() returns; requiring it takes ${e.activation.coreLoadMs.median} / ${e.activation.coreLoadMs.max} ms.`,
      '',
      '| production bundle | bytes |',
      '| --- | --- |',
      ...Object.entries(e.bundles).map(([f, b]) => `| ${f} | ${b} |`),
      '',
      `Event log at ${e.eventLog.events} events: ${e.eventLog.heapBytes} heap + ArrayBuffer bytes (${e.eventLog.bytesPerEvent} per event), ${e.eventLog.pushMicroseconds} µs per push.`,
    );
  }
  if (g.fleet) {
    const f = g.fleet;
    out.push('', '### 7. Fleets of 100,000 devices', '', '| broker | servers | discovery ms (CONNECT → registry complete) | complete | heap bytes per server | find median ms (20 queries) | first text query ms | tree first expand ms |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const row of f.rows) out.push(`| ${row.broker} | ${row.servers} | ${row.discoveryMs} | ${row.complete ? 'yes' : '**no**'} | ${row.heapBytesPerServer} | ${row.findMedianMs} | ${row.findFirstTextMs} | ${row.treeExpandMs} |`);
    out.push('', `Devices tree: a folder of 10,000 servers among 100,000 names, first listed (sorted) and its first page of 500: \`tree_expand_10k_folder_ms\` ${f.tree_expand_10k_folder_ms}.`);
    out.push('', `Fleet server call (SDK Client → gateway /fleet call_device_tool → MQTT → device) ${f.fleetCallMs} ms vs the per-device server (SDK Client → gateway /mcp/<name> → MQTT → device) ${f.perDeviceCallMs} ms, medians, same device and run: \`fleet_call_overhead_ratio\` ${f.fleet_call_overhead_ratio}.`);
  }
  return out.join('\n');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
