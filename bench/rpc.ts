// Group 1: one tools/call round trip. Our stack (McpMqttClient session → McpMqttServerHost with an SDK Server)
// against the floor, a raw MQTT.js client and a raw MQTT.js device that speak the same JSON-RPC over the same
// topics with TCP_NODELAY, interleaved on each broker. Also: the raw client with Nagle left on, our client
// against the raw device (client-side cost alone), and mosquitto_rr as an outside cross-check.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker, type TestBroker } from '../test/helpers/brokers.js';
import { makeSdkServer, startRawDevice, type RawDevice } from '../test/fixtures/raw-device.js';
import { McpMqttClient } from '../src/core/client/mcp-client.js';
import { McpMqttServerHost } from '../src/core/server/host.js';
import { interleave, median, roundSummary, round, summarize, withTimeout, type Summary, type Variant } from './stats.js';

const CALL_TIMEOUT_MS = 5_000;
export const uid = (): string => randomBytes(4).toString('hex');

export interface RawRpcClient {
  clientId: string;
  call(tool: string, args: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The floor: an MCP client in a few lines of MQTT.js, nothing from src/core. QoS 1 both ways and No Local on
 * the RPC topic, as our transport does, so the comparison is of code, not of protocol choices.
 */
export async function connectRawRpcClient(url: string, serverId: string, serverName: string, noDelay = true): Promise<RawRpcClient> {
  const clientId = `raw-${uid()}`;
  const client: MqttClient = mqtt.connect(url, { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  // The socket exists as soon as connect() returns; switch Nagle off before the first packet is written.
  if (noDelay) (client.stream as Partial<Socket>).setNoDelay?.(true);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const rpcTopic = `$mcp-rpc/${clientId}/${serverId}/${serverName}`;
  const userProperties = { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-MQTT-CLIENT-ID': clientId };
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  client.on('message', (_topic, payload) => {
    const message = JSON.parse(payload.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = typeof message.id === 'number' ? waiting.get(message.id) : undefined;
    if (!waiter) return;
    waiting.delete(message.id as number);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  await new Promise<void>((resolve, reject) => client.subscribe({ [rpcTopic]: { qos: 1, nl: true } }, (err) => (err ? reject(err) : resolve())));
  let nextId = 1;
  const publish = (topic: string, message: object): void => {
    client.publish(topic, JSON.stringify({ jsonrpc: '2.0', ...message }), { qos: 1, properties: { userProperties } });
  };
  const request = (topic: string, method: string, params: object): Promise<unknown> => {
    const id = nextId++;
    const answered = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
    publish(topic, { id, method, params });
    return withTimeout(answered, CALL_TIMEOUT_MS, `raw ${method}`);
  };
  await request(`$mcp-server/${serverId}/${serverName}`, 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw-bench-client', version: '1.0.0' },
  });
  publish(rpcTopic, { method: 'notifications/initialized' });
  return {
    clientId,
    call: (tool, args) => request(rpcTopic, 'tools/call', { name: tool, arguments: args }),
    close: () => new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
  };
}

/** A device hosted by our McpMqttServerHost, one SDK Server per client (the test fixture's `add` tool). */
export async function startHostedDevice(url: string, serverName: string): Promise<McpMqttServerHost> {
  const serverId = `host-${uid()}`;
  const host = new McpMqttServerHost({
    broker: { url },
    serverId,
    serverName,
    description: 'benchmark device',
    reconnect: false,
    createServer: ({ clientId }) => makeSdkServer(serverId, clientId),
  });
  await host.start();
  return host;
}

export async function connectClient(url: string): Promise<McpMqttClient> {
  const client = new McpMqttClient({ broker: { url }, reconnect: false, timeouts: { callMs: CALL_TIMEOUT_MS } });
  await client.connect();
  return client;
}

export async function oursCall(client: McpMqttClient, serverName: string): Promise<void> {
  const session = await client.session(serverName);
  await session.callTool('add', { a: 1, b: 2 });
}

export interface BrokerSetup {
  label: string;
  kind: 'embedded' | 'mosquitto';
  nodelay: boolean;
}

export const RPC_BROKERS: BrokerSetup[] = [
  { label: 'mosquitto (set_tcp_nodelay false, default)', kind: 'mosquitto', nodelay: false },
  { label: 'mosquitto (set_tcp_nodelay true)', kind: 'mosquitto', nodelay: true },
  { label: 'embedded (in-process)', kind: 'embedded', nodelay: true },
];

export interface RpcBrokerResult {
  broker: string;
  variants: Record<string, Summary>;
  /** ours / raw, medians. */
  overheadRatio: number;
  /** McpMqttClient → raw device / raw: our client side alone. */
  clientOverheadRatio: number;
  mosquittoRr?: { rrWallMs: number; pubWallMs: number; rrMinusPubMs: number; runs: number };
}

export interface RpcResult {
  brokers: RpcBrokerResult[];
  rpc_overhead_ratio: number;
  rpc_full_stack_ratio: number;
}

export async function runRpc(log: (line: string) => void): Promise<RpcResult> {
  const brokers: RpcBrokerResult[] = [];
  for (const setup of RPC_BROKERS) {
    const broker = await startBroker(setup.kind, { nodelay: setup.nodelay });
    const stops: (() => Promise<unknown>)[] = [];
    try {
      const rawName = `bench/raw-${uid()}`;
      const oursName = `bench/ours-${uid()}`;
      const rawDevice: RawDevice = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: rawName });
      stops.push(() => rawDevice.stop());
      const host = await startHostedDevice(broker.url, oursName);
      stops.push(() => host.stop());
      const raw = await connectRawRpcClient(broker.url, rawDevice.serverId, rawName, true);
      stops.push(() => raw.close());
      const rawNagle = await connectRawRpcClient(broker.url, rawDevice.serverId, rawName, false);
      stops.push(() => rawNagle.close());
      const ours = await connectClient(broker.url);
      stops.push(() => ours.close());
      const variants: Variant[] = [
        { name: 'raw MQTT.js client → raw device (nodelay both)', once: async () => void (await raw.call('add', { a: 1, b: 2 })) },
        { name: 'raw MQTT.js client, Nagle on → raw device', once: async () => void (await rawNagle.call('add', { a: 1, b: 2 })), batch: 3 },
        { name: 'McpMqttClient → raw device', once: () => oursCall(ours, rawName) },
        { name: 'McpMqttClient → McpMqttServerHost (ours)', once: () => oursCall(ours, oursName) },
      ];
      // Nagle-bound variants take ~40-90 ms a call: fewer samples, but the same wall-clock share.
      const slow = !setup.nodelay;
      const samples = await interleave(variants, { batch: 50, sliceMs: 300, budgetMs: slow ? 10_000 : 7_000, maxSamples: 3_000, warmup: slow ? 3 : 100 });
      const summaries: Record<string, Summary> = {};
      for (const [name, s] of Object.entries(samples)) summaries[name] = roundSummary(summarize(s));
      const overheadRatio = round(median(samples[variants[3]!.name]!) / median(samples[variants[0]!.name]!), 2);
      const clientOverheadRatio = round(median(samples[variants[2]!.name]!) / median(samples[variants[0]!.name]!), 2);
      const result: RpcBrokerResult = { broker: setup.label, variants: summaries, overheadRatio, clientOverheadRatio };
      if (setup.kind === 'mosquitto' && setup.nodelay) result.mosquittoRr = await mosquittoRrCrossCheck(broker);
      brokers.push(result);
      log(`  ${setup.label}: ours/raw = ${overheadRatio}, our client alone/raw = ${clientOverheadRatio}`);
      for (const [name, s] of Object.entries(summaries)) log(`    ${name}: median ${s.median} ms, p99 ${s.p99} ms (n=${s.n})`);
      if (result.mosquittoRr) log(`    mosquitto_rr: ${JSON.stringify(result.mosquittoRr)}`);
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await broker.stop();
    }
  }
  const reference = brokers.find((b) => b.broker === RPC_BROKERS[1]!.label) ?? brokers[0]!;
  // The target follows the definition: our client transport and the SDK Client against the same
  // spec-following device as the raw client. With our SDK-Server device host on the other end as well, the
  // ratio includes the SDK's server-side validation; it is reported as rpc_full_stack_ratio.
  return { brokers, rpc_overhead_ratio: reference.clientOverheadRatio, rpc_full_stack_ratio: reference.overheadRatio };
}

/**
 * mosquitto_rr (a separate C client) makes one request and waits for the answer; its wall time includes process
 * start, CONNECT and SUBSCRIBE. mosquitto_pub does all of that but the wait, so the difference approximates
 * one round trip plus a SUBSCRIBE, measured with nothing of ours or of MQTT.js on the client side.
 */
async function mosquittoRrCrossCheck(broker: TestBroker): Promise<{ rrWallMs: number; pubWallMs: number; rrMinusPubMs: number; runs: number }> {
  const requestTopic = `bench/rr/${uid()}`;
  const responder = mqtt.connect(broker.url, { clientId: `rr-responder-${uid()}`, protocolVersion: 5, reconnectPeriod: 0 });
  (responder.stream as Partial<Socket>).setNoDelay?.(true);
  await new Promise<void>((resolve, reject) => {
    responder.once('connect', () => resolve());
    responder.once('error', reject);
  });
  responder.on('message', (_topic, payload, packet) => {
    const responseTopic = packet.properties?.responseTopic;
    if (!responseTopic) return;
    const request = JSON.parse(payload.toString('utf8')) as { id: number };
    const properties = packet.properties?.correlationData ? { correlationData: packet.properties.correlationData } : {};
    responder.publish(responseTopic, JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: '3' }] } }), { qos: 1, properties });
  });
  await new Promise<void>((resolve, reject) => responder.subscribe(requestTopic, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  const message = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
  const common = ['-h', broker.host, '-p', String(broker.port), '-V', '5', '-q', '1', '--nodelay', '-t', requestTopic, '-m', message];
  const rr: number[] = [];
  const pub: number[] = [];
  try {
    for (let i = 0; i < 15; i++) {
      rr.push(await timeProcess('mosquitto_rr', [...common, '-e', `${requestTopic}/response`, '-W', '5'], '"text":"3"'));
      pub.push(await timeProcess('mosquitto_pub', common));
    }
  } finally {
    await new Promise<void>((resolve) => responder.end(false, {}, () => resolve()));
  }
  const rrWallMs = round(median(rr), 2);
  const pubWallMs = round(median(pub), 2);
  return { rrWallMs, pubWallMs, rrMinusPubMs: round(rrWallMs - pubWallMs, 2), runs: rr.length };
}

function timeProcess(command: string, args: string[], mustPrint?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (out += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (code !== 0 || (mustPrint && !out.includes(mustPrint))) reject(new Error(`${command} failed (exit ${code}): ${out.slice(0, 300)}`));
      else resolve(ms);
    });
  });
}
