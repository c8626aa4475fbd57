// Group 7: fleets of 100,000 devices. Discovery of 100,000 retained presence messages on Mosquitto (queue
// limits raised, as the README tells big-fleet users) and on the embedded broker, from CONNECT to the
// registry complete; heap per discovered server; find-device queries over the 100k registry (the search the
// Find Device picker runs as the user types, the index the fleet server's find_devices uses too); the Devices
// tree's first expansion (a folder listed and sorted from the 100k sorted names); and what the fleet server adds to a device call over a per-device server.
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startBroker, type TestBroker } from '../test/helpers/brokers.js';
import { publishPresenceFleet } from '../test/helpers/fleet.js';
import { McpMqttClient } from '../src/core/client/mcp-client.js';
import { McpGateway } from '../src/core/gateway/index.js';
import { FIND_DEVICE_LIMIT, parseDeviceQuery, searchOf } from '../src/core/discovery/search.js';
import type { DiscoveryRegistry } from '../src/core/discovery/registry.js';
import { NameTree } from '../src/core/views/name-tree.js';
import { hasGc, interleave, median, round, settledHeapUsed, withTimeout } from './stats.js';
import { startHostedDevice, uid } from './rpc.js';

const COUNT = 100_000;
const STEP_TIMEOUT_MS = 120_000;
const QUERIES = 20;

export interface FleetDiscoveryRow {
  broker: string;
  servers: number;
  discoveryMs: number;
  complete: boolean;
  heapBytesPerServer: number;
  findMedianMs: number;
  /** The first text query parses every deferred presence: reported apart from the median. */
  findFirstTextMs: number;
  /** The tree's first expansion of the broker row and then the fleet's folder (1,000 room folders). */
  treeExpandMs: number;
}

export interface FleetResult {
  rows: FleetDiscoveryRow[];
  discovery_100k_ms: number;
  heap_bytes_per_server_100k: number;
  find_device_ms_100k: number;
  tree_expand_ms_100k: number;
  /** A folder of 10,000 servers among 100,000 names: its first listing (sorted) and first page. */
  tree_expand_10k_folder_ms: number;
  fleet_call_overhead_ratio: number;
  fleetCallMs: number;
  perDeviceCallMs: number;
  heapMeasuredWithGc: boolean;
}

async function discover(url: string, filter: string): Promise<{ ms: number; client: McpMqttClient; heapPerServer: number }> {
  const before = await settledHeapUsed();
  const t0 = performance.now();
  const client = new McpMqttClient({ broker: { url }, reconnect: false, serverNameFilters: [filter], snapshot: { idleMs: 5_000, maxMs: STEP_TIMEOUT_MS } });
  await withTimeout(client.connect(), STEP_TIMEOUT_MS, '100k discovery');
  const ms = performance.now() - t0;
  const after = await settledHeapUsed();
  return { ms, client, heapPerServer: (after - before) / Math.max(1, client.registry.size) };
}

/** What Find Device does per keystroke: the typed text parsed, then the registry search capped for the picker. */
function findQueries(registry: DiscoveryRegistry, prefix: string): { medianMs: number; firstTextMs: number } {
  const inputs: string[] = [];
  for (let i = 0; i < QUERIES / 2; i++) inputs.push(`${prefix}/room-${(i * 97) % 1000}/+`);
  for (let i = 0; i < QUERIES / 2; i++) inputs.push(`sensor ${(i * 7919) % COUNT}`);
  const times: number[] = [];
  let firstTextMs = NaN;
  const search = searchOf(registry);
  for (const input of inputs) {
    const query = parseDeviceQuery(input);
    const t0 = performance.now();
    const found = search.find(query, FIND_DEVICE_LIMIT);
    const ms = performance.now() - t0;
    if (found.total === 0) throw new Error(`find "${input}" found nothing`);
    if (query.text && Number.isNaN(firstTextMs)) firstTextMs = ms;
    times.push(ms);
  }
  return { medianMs: median(times), firstTextMs };
}

/** The Devices tree's first expansion: the broker row's children, then the fleet folder's, from the sorted names. */
function treeExpand(registry: DiscoveryRegistry, prefix: string): number {
  const t0 = performance.now();
  const tree = new NameTree(registry.sortedNames());
  tree.listing('');
  const listing = tree.listing(`${prefix}/`);
  if (listing.folders.length === 0) throw new Error('the fleet folder listed nothing');
  return performance.now() - t0;
}

/** A folder of 10,000 servers among 100,000 names: listed, sorted and its first page of 500 taken. */
function bigFolderExpand(): number {
  const names = Array.from({ length: COUNT }, (_, i) => (i % 10 === 0 ? `site/hall/sensor-${i}` : `site/room-${i % 900}/sensor-${i}`)).sort();
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    const listing = new NameTree(names).listing('site/hall/');
    const page = listing.servers.slice(0, 500);
    times.push(performance.now() - t0);
    if (listing.servers.length !== COUNT / 10 || page.length !== 500) throw new Error(`hall listed ${listing.servers.length}`);
  }
  return median(times);
}

async function callOverhead(broker: TestBroker): Promise<{ fleetMs: number; perDeviceMs: number; ratio: number }> {
  const name = `fleet-call-${uid()}/dev`;
  const device = await startHostedDevice(broker.url, name);
  const client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false });
  await client.connect();
  const gateway = new McpGateway({ client });
  const address = await gateway.start();
  const headers = { Authorization: `Bearer ${address.token}` };
  const fleetAgent = new Client({ name: 'bench-fleet', version: '1' });
  const deviceAgent = new Client({ name: 'bench-device', version: '1' });
  try {
    await fleetAgent.connect(new StreamableHTTPClientTransport(new URL(gateway.fleetServer()!.url), { requestInit: { headers } }));
    await deviceAgent.connect(new StreamableHTTPClientTransport(new URL(gateway.urlFor(name)), { requestInit: { headers } }));
    const samples = await interleave(
      [
        { name: 'fleet', once: async () => void (await fleetAgent.callTool({ name: 'call_device_tool', arguments: { server_name: name, tool: 'add', arguments: { a: 1, b: 2 } } })) },
        { name: 'device', once: async () => void (await deviceAgent.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) },
      ],
      { batch: 20, sliceMs: 500, budgetMs: 20_000, maxSamples: 400, warmup: 20 },
    );
    const fleetMs = median(samples.fleet as number[]);
    const perDeviceMs = median(samples.device as number[]);
    return { fleetMs: round(fleetMs, 3), perDeviceMs: round(perDeviceMs, 3), ratio: round(fleetMs / perDeviceMs, 2) };
  } finally {
    await fleetAgent.close().catch(() => undefined);
    await deviceAgent.close().catch(() => undefined);
    await gateway.stop();
    await client.close();
    await device.stop();
  }
}

export async function runFleet(log: (line: string) => void): Promise<FleetResult> {
  const rows: FleetDiscoveryRow[] = [];
  let overhead = { fleetMs: NaN, perDeviceMs: NaN, ratio: NaN };
  for (const setup of [
    { label: 'mosquitto (max_queued_messages 1000000)', kind: 'mosquitto' as const },
    { label: 'embedded (in-process)', kind: 'embedded' as const },
  ]) {
    const broker = await startBroker(setup.kind, { nodelay: true, maxQueuedMessages: 1_000_000 });
    try {
      const prefix = `fleet100k-${uid()}`;
      await publishPresenceFleet(broker.url, prefix, COUNT);
      const { ms, client, heapPerServer } = await discover(broker.url, `${prefix}/#`);
      try {
        if (client.registry.size !== COUNT) log(`  ${setup.label}: discovered ${client.registry.size} of ${COUNT}`);
        const find = findQueries(client.registry, prefix);
        const treeExpandMs = treeExpand(client.registry, prefix);
        const row: FleetDiscoveryRow = {
          broker: setup.label,
          servers: client.registry.size,
          discoveryMs: round(ms, 0),
          complete: client.snapshot?.complete === true && client.registry.size === COUNT,
          heapBytesPerServer: Math.round(heapPerServer),
          findMedianMs: round(find.medianMs, 2),
          findFirstTextMs: round(find.firstTextMs, 1),
          treeExpandMs: round(treeExpandMs, 1),
        };
        rows.push(row);
        log(`  ${setup.label}: ${row.servers} servers in ${row.discoveryMs} ms (complete: ${row.complete}), ${row.heapBytesPerServer} heap bytes/server, find median ${row.findMedianMs} ms (first text query ${row.findFirstTextMs} ms), tree first expand ${row.treeExpandMs} ms`);
      } finally {
        await client.close();
      }
      if (setup.kind === 'mosquitto') {
        overhead = await callOverhead(broker);
        log(`  fleet call ${overhead.fleetMs} ms vs per-device server ${overhead.perDeviceMs} ms (ratio ${overhead.ratio})`);
      }
    } finally {
      await broker.stop();
    }
  }
  const bigFolderMs = round(bigFolderExpand(), 1);
  log(`  tree: a folder of 10,000 among 100,000 names listed, sorted and paged in ${bigFolderMs} ms`);
  const mosquitto = rows[0] as FleetDiscoveryRow;
  return {
    rows,
    discovery_100k_ms: mosquitto.discoveryMs,
    heap_bytes_per_server_100k: mosquitto.heapBytesPerServer,
    find_device_ms_100k: mosquitto.findMedianMs,
    tree_expand_ms_100k: mosquitto.treeExpandMs,
    tree_expand_10k_folder_ms: bigFolderMs,
    fleet_call_overhead_ratio: overhead.ratio,
    fleetCallMs: overhead.fleetMs,
    perDeviceCallMs: overhead.perDeviceMs,
    heapMeasuredWithGc: hasGc(),
  };
}
