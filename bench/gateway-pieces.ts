// Where `gateway_overhead_ms` goes: the same device call reached directly over MQTT, through the gateway by
// three agent HTTP clients (the SDK's StreamableHTTPClientTransport, plain `fetch`, a keep-alive `node:http`
// request), and through the minimal stand-in for the gateway of gateway-stand-in.ts. Interleaved in rounds;
// median wall time and CPU time per call of this process (agent, gateway, device and, embedded, the broker).
// Not part of `npm run bench` (a diagnostic with figures): node --import tsx bench/gateway-pieces.ts [mosquitto|embedded]
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startBroker } from '../test/helpers/brokers.js';
import { McpGateway } from '../src/core/gateway/index.js';
import { startGatewayStandIn } from './gateway-stand-in.js';
import { connectClient, oursCall, startHostedDevice, uid } from './rpc.js';
import { median, round } from './stats.js';

const ROUNDS = 16;
const CALLS_PER_ROUND = 250;
const keepAlive = new Agent({ keepAlive: true });

function post(url: string, headers: Record<string, string>, body: string): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method: 'POST', agent: keepAlive, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ headers: res.headers, body: text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

let nextId = 1;
const callBody = (): string => JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });

async function main(): Promise<void> {
  const kind = process.argv[2] === 'embedded' ? 'embedded' : 'mosquitto';
  const broker = await startBroker(kind, { nodelay: true });
  const serverName = `bench/pieces-${uid()}`;
  const host = await startHostedDevice(broker.url, serverName);
  const client = await connectClient(broker.url);
  await client.session(serverName);
  const gateway = new McpGateway({ client });
  const address = await gateway.start();
  const url = gateway.urlFor(serverName);

  const sdkAgent = new Client({ name: 'pieces-agent', version: '1.0.0' });
  const sdkTransport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${address.token}` } } });
  await sdkAgent.connect(sdkTransport);
  // The plain clients share the SDK agent's session: the gateway cannot tell them apart.
  const headers = {
    authorization: `Bearer ${address.token}`,
    'mcp-session-id': sdkTransport.sessionId ?? '',
    'mcp-protocol-version': sdkTransport.protocolVersion ?? '2025-06-18',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };

  // The stand-in: what any HTTP-to-MQTT hop must do at least. It forwards initialize like any message.
  const standIn = await startGatewayStandIn(client, serverName, broker.url);
  const plain = { 'content-type': 'application/json' };
  await post(standIn.url, plain, JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stand-in', version: '1' } } }));
  await post(standIn.url, plain, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));

  const variants: Record<string, () => Promise<unknown>> = {
    'direct (SDK Client over MQTT)': () => oursCall(client, serverName),
    'gateway, SDK StreamableHTTPClientTransport': () => sdkAgent.callTool({ name: 'add', arguments: { a: 1, b: 2 } }),
    'gateway, plain fetch': async () => (await fetch(url, { method: 'POST', headers, body: callBody() })).json(),
    'gateway, node:http keep-alive': () => post(url, headers, callBody()),
    'stand-in, node:http keep-alive': () => post(standIn.url, plain, callBody()),
  };
  for (const once of Object.values(variants)) for (let i = 0; i < 300; i++) await once();
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const order = Object.entries(variants);
    if (r % 2) order.reverse();
    for (const [name, once] of order) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < CALLS_PER_ROUND; i++) await once();
      const c = process.cpuUsage(c0);
      (wall[name] ??= []).push(((performance.now() - t0) * 1000) / CALLS_PER_ROUND);
      (cpu[name] ??= []).push((c.user + c.system) / CALLS_PER_ROUND);
    }
  }
  const direct = Object.keys(variants)[0]!;
  console.log(`${kind}: µs per call, median of ${ROUNDS} rounds of ${CALLS_PER_ROUND} (wall, then this process's CPU), and beyond the direct call`);
  for (const name of Object.keys(variants)) {
    const w = median(wall[name]!);
    const c = median(cpu[name]!);
    console.log(`  ${name.padEnd(44)} wall ${round(w, 0)} (+${round(w - median(wall[direct]!), 0)})  cpu ${round(c, 0)} (+${round(c - median(cpu[direct]!), 0)})`);
  }
  keepAlive.destroy();
  await standIn.stop();
  await sdkTransport.terminateSession().catch(() => undefined);
  await sdkAgent.close();
  await gateway.stop();
  await client.close();
  await host.stop();
  await broker.stop();
}

void main();
