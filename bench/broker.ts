// Group 5: the embedded broker against Mosquitto as brokers. Each runs in its own process (the embedded one
// through the shipped CLI, `mqtt-mcp broker`), so both get a core of their own while the MQTT.js publisher and
// subscribers share this process. Throughput: messages/s from 1 publisher to 1 and 10 subscribers at QoS 0
// and 1; latency: one message at a time, until the last subscriber has it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker } from '../test/helpers/brokers.js';
import { median, round, roundSummary, summarize, withTimeout, type Summary } from './stats.js';
import { uid } from './rpc.js';

const MESSAGES = 20_000;
const WINDOW = 200;
const RUN_TIMEOUT_MS = 10_000;
const LATENCY_SAMPLES = 400;
const PAYLOAD = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 0.5 } }));

interface RunningBroker {
  label: string;
  url: string;
  stop(): Promise<void>;
}

async function startEmbeddedProcess(): Promise<RunningBroker> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, '../dist/cli.js'), 'broker', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (t: string) => {
        out += t;
        const m = /listening on (mqtt:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`mqtt-mcp broker exited (${code}) before listening`)));
    }),
    10_000,
    'embedded broker process',
  ).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    label: 'embedded (own process)',
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function connect(url: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId: `bb-${uid()}`, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

const end = (client: MqttClient): Promise<void> => new Promise((resolve) => client.end(false, {}, () => resolve()));

interface Rig {
  publisher: MqttClient;
  subscribers: MqttClient[];
  topic: string;
  counts: number[];
  onAll?: () => void;
  close(): Promise<void>;
}

async function rig(url: string, qos: 0 | 1, fanOut: number): Promise<Rig> {
  const topic = `bench/fan/${uid()}`;
  const publisher = await connect(url);
  const subscribers = await Promise.all(Array.from({ length: fanOut }, () => connect(url)));
  const r: Rig = { publisher, subscribers, topic, counts: subscribers.map(() => 0), close: () => Promise.all([publisher, ...subscribers].map(end)).then(() => undefined) };
  subscribers.forEach((s, i) =>
    s.on('message', () => {
      r.counts[i]!++;
      r.onAll?.();
    }),
  );
  await Promise.all(subscribers.map((s) => new Promise<void>((resolve, reject) => s.subscribe(topic, { qos }, (err) => (err ? reject(err) : resolve())))));
  return r;
}

/** Publishes MESSAGES with at most WINDOW unacknowledged; ends when every subscriber has all of them (or time runs out). */
async function throughput(r: Rig, qos: 0 | 1): Promise<{ messagesPerSecond: number; deliveredPerSecond: number; lost: number }> {
  r.counts.fill(0);
  const t0 = performance.now();
  const deadline = t0 + RUN_TIMEOUT_MS;
  const done = new Promise<void>((resolve) => {
    r.onAll = () => {
      if (r.counts.every((c) => c >= MESSAGES)) resolve();
    };
  });
  let sent = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (inFlight < WINDOW && sent < MESSAGES && performance.now() < deadline) {
        inFlight++;
        sent++;
        r.publisher.publish(r.topic, PAYLOAD, { qos }, () => {
          inFlight--;
          if (sent < MESSAGES && performance.now() < deadline) pump();
          else if (inFlight === 0) resolve();
        });
      }
    };
    pump();
  });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now())))]);
  r.onAll = undefined;
  const seconds = (performance.now() - t0) / 1000;
  const delivered = r.counts.reduce((a, b) => a + b, 0);
  return { messagesPerSecond: Math.round(Math.min(...r.counts) / seconds), deliveredPerSecond: Math.round(delivered / seconds), lost: sent * r.counts.length - delivered };
}

async function latency(r: Rig, qos: 0 | 1, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    r.counts.fill(0);
    const t0 = performance.now();
    await withTimeout(
      new Promise<void>((resolve) => {
        r.onAll = () => {
          if (r.counts.every((c) => c >= 1)) resolve();
        };
        r.publisher.publish(r.topic, PAYLOAD, { qos });
      }),
      5_000,
      'broker latency sample',
    );
    out.push(performance.now() - t0);
  }
  r.onAll = undefined;
  return out;
}

export interface BrokerRow {
  broker: string;
  qos: 0 | 1;
  subscribers: number;
  messagesPerSecond: number;
  deliveredPerSecond: number;
  lost: number;
  latencyMs: Summary;
}

export interface BrokerResult {
  rows: BrokerRow[];
  ratios: Record<string, number>;
  broker_throughput_ratio: number;
}

export async function runBroker(log: (line: string) => void): Promise<BrokerResult> {
  const mosquitto = await startBroker('mosquitto', { nodelay: true });
  const brokers: RunningBroker[] = [{ label: 'mosquitto (set_tcp_nodelay true)', url: mosquitto.url, stop: () => mosquitto.stop() }];
  const rows: BrokerRow[] = [];
  const ratios: Record<string, number> = {};
  try {
    brokers.push(await startEmbeddedProcess());
    for (const qos of [0, 1] as const) {
      for (const fanOut of [1, 10]) {
        const rigs = await Promise.all(brokers.map((b) => rig(b.url, qos, fanOut)));
        try {
          const runs = rigs.map(() => [] as { messagesPerSecond: number; deliveredPerSecond: number; lost: number }[]);
          const lat = rigs.map(() => [] as number[]);
          // Brokers alternate, twice over, so each sees the same stretch of machine noise; the better run counts.
          for (let rep = 0; rep < 2; rep++) {
            for (let b = 0; b < rigs.length; b++) {
              runs[b]!.push(await throughput(rigs[b]!, qos));
              lat[b]!.push(...(await latency(rigs[b]!, qos, LATENCY_SAMPLES / 2)));
            }
          }
          rigs.forEach((_, b) => {
            const best = runs[b]!.reduce((x, y) => (y.messagesPerSecond > x.messagesPerSecond ? y : x));
            const row: BrokerRow = { broker: brokers[b]!.label, qos, subscribers: fanOut, ...best, latencyMs: roundSummary(summarize(lat[b]!)) };
            rows.push(row);
            log(`  ${row.broker}, QoS ${qos}, 1→${fanOut}: ${row.messagesPerSecond} msg/s (${row.deliveredPerSecond} delivered/s, lost ${row.lost}), latency median ${row.latencyMs.median} ms p99 ${row.latencyMs.p99} ms`);
          });
          const [m, e] = rows.slice(-2) as [BrokerRow, BrokerRow];
          ratios[`qos${qos}_fanout${fanOut}`] = round(e.messagesPerSecond / m.messagesPerSecond, 2);
          ratios[`qos${qos}_fanout${fanOut}_latency`] = round(median(lat[1]!) / median(lat[0]!), 2);
        } finally {
          await Promise.all(rigs.map((r) => r.close()));
        }
      }
    }
  } finally {
    for (const b of brokers) await b.stop();
  }
  return { rows, ratios, broker_throughput_ratio: ratios.qos1_fanout1 as number };
}
