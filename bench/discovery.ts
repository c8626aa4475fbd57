// Group 4: discovering 1,000 and 10,000 servers from retained presence. McpMqttClient.connect() (resolves once
// the retained snapshot is in, parsed into the registry) against a raw MQTT.js subscriber that only counts the
// same retained messages at QoS 0; both from CONNECT on. Then heap per discovered server.
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import { startBroker, type TestBroker } from '../test/helpers/brokers.js';
import { McpMqttClient } from '../src/core/client/mcp-client.js';
import { hasGc, median, round, settledHeapUsed, withTimeout } from './stats.js';
import { uid } from './rpc.js';

const SIZES = [1_000, 10_000];
const ROUNDS = 5;
const STEP_TIMEOUT_MS = 30_000;

export interface DiscoveryRow {
  broker: string;
  servers: number;
  oursMs: number;
  rawMs: number;
  /** The raw subscriber also parsing each payload as JSON into a Map by topic: the least any discovery must do. */
  rawParsingMs: number;
  ratio: number;
  ratioToRawParsing: number;
  rounds: number;
  heapBytesPerServer?: number;
}

export interface DiscoveryResult {
  rows: DiscoveryRow[];
  discovery_10k_ratio: number;
  heapMeasuredWithGc: boolean;
}

async function rawConnect(url: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId: `raw-disc-${uid()}`, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

const end = (client: MqttClient): Promise<void> => new Promise((resolve) => client.end(false, {}, () => resolve()));

/** Retained online presence for `count` servers, as devices would leave it; resolves once the broker has all of it. */
async function publishFleet(url: string, prefix: string, count: number): Promise<void> {
  const publisher = await rawConnect(url);
  try {
    for (let i = 0; i < count; i++) {
      const name = `${prefix}/room-${Math.floor(i / 100)}/sensor-${i}`;
      const payload = JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/server/online',
        params: { server_name: name, description: `benchmark sensor ${i}`, meta: { version: '1.0.0', implementation: 'bench-fleet' } },
      });
      const qos = i === count - 1 ? 1 : 0;
      // The last one at QoS 1: its PUBACK comes after the broker has taken every earlier publish (in order).
      await new Promise<void>((resolve, reject) =>
        publisher.publish(`$mcp-server/presence/s${i}-${prefix.slice(-6)}/${name}`, payload, { qos, retain: true }, (err) => (err ? reject(err) : resolve())),
      );
    }
  } finally {
    await end(publisher);
  }
}

async function oursDiscover(url: string, filter: string, expected: number): Promise<{ ms: number; client: McpMqttClient }> {
  const t0 = performance.now();
  const client = new McpMqttClient({ broker: { url }, reconnect: false, serverNameFilters: [filter] });
  await withTimeout(client.connect(), STEP_TIMEOUT_MS, 'McpMqttClient discovery');
  const ms = performance.now() - t0;
  const found = client.registry.servers().length;
  if (found !== expected) throw new Error(`McpMqttClient discovered ${found} of ${expected} servers`);
  return { ms, client };
}

async function rawDiscover(url: string, filter: string, expected: number, parse: boolean): Promise<number> {
  const t0 = performance.now();
  const client = await rawConnect(url);
  try {
    let received = 0;
    const known = new Map<string, unknown>();
    const all = new Promise<void>((resolve) =>
      client.on('message', (topic, payload) => {
        if (parse) known.set(topic, JSON.parse(payload.toString('utf8')));
        if (++received === expected) resolve();
      }),
    );
    client.subscribe(`$mcp-server/presence/+/${filter}`, { qos: 0 });
    await withTimeout(all, STEP_TIMEOUT_MS, 'raw discovery');
    return performance.now() - t0;
  } finally {
    await end(client);
  }
}

async function heapPerServer(url: string, filter: string, expected: number): Promise<number> {
  const before = await settledHeapUsed();
  const { client } = await oursDiscover(url, filter, expected);
  const after = await settledHeapUsed();
  await client.close();
  return (after - before) / expected;
}

export async function runDiscovery(log: (line: string) => void): Promise<DiscoveryResult> {
  const rows: DiscoveryRow[] = [];
  for (const setup of [
    { label: 'mosquitto (set_tcp_nodelay true)', kind: 'mosquitto' as const },
    { label: 'embedded (in-process)', kind: 'embedded' as const },
  ]) {
    const broker: TestBroker = await startBroker(setup.kind, { nodelay: true });
    try {
      for (const count of SIZES) {
        const prefix = `fleet-${count}-${uid()}`;
        await publishFleet(broker.url, prefix, count);
        const filter = `${prefix}/#`;
        const ours: number[] = [];
        const raw: number[] = [];
        const rawParsing: number[] = [];
        // Alternating, the first round unrecorded: both then read a broker whose retained store is warm.
        for (let r = 0; r <= ROUNDS; r++) {
          const o = await oursDiscover(broker.url, filter, count);
          await o.client.close();
          const rawMs = await rawDiscover(broker.url, filter, count, false);
          const rawParsingMs = await rawDiscover(broker.url, filter, count, true);
          if (r === 0) continue;
          ours.push(o.ms);
          raw.push(rawMs);
          rawParsing.push(rawParsingMs);
        }
        const row: DiscoveryRow = {
          broker: setup.label,
          servers: count,
          oursMs: round(median(ours), 1),
          rawMs: round(median(raw), 1),
          rawParsingMs: round(median(rawParsing), 1),
          ratio: round(median(ours) / median(raw), 2),
          ratioToRawParsing: round(median(ours) / median(rawParsing), 2),
          rounds: ROUNDS,
          heapBytesPerServer: Math.round(await heapPerServer(broker.url, filter, count)),
        };
        rows.push(row);
        log(`  ${setup.label}, ${count} servers: ours ${row.oursMs} ms, raw ${row.rawMs} ms (ratio ${row.ratio}), raw+JSON.parse ${row.rawParsingMs} ms (ratio ${row.ratioToRawParsing}), ${row.heapBytesPerServer} heap bytes/server`);
      }
    } finally {
      await broker.stop();
    }
  }
  const reference = rows.find((r) => r.servers === 10_000 && r.broker.startsWith('mosquitto')) ?? (rows[rows.length - 1] as DiscoveryRow);
  return { rows, discovery_10k_ratio: reference.ratio, heapMeasuredWithGc: hasGc() };
}
