// Group 2: the agent path. The SDK Client over Streamable HTTP → McpGateway → MQTT → device, against the SDK
// Client reaching the same device directly over MQTT (an McpMqttClient session), interleaved. The difference
// of the medians is what the gateway adds to each call. In the same rounds, the same agent through a minimal
// stand-in for the gateway (gateway-stand-in.ts) gives the floor of any HTTP-to-MQTT hop on this machine.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startBroker } from '../test/helpers/brokers.js';
import { McpGateway } from '../src/core/gateway/index.js';
import { makeSdkServer } from '../test/fixtures/raw-device.js';
import { startGatewayStandIn } from './gateway-stand-in.js';
import { connectClient, oursCall, startHostedDevice, uid } from './rpc.js';
import { interleave, median, round, roundSummary, summarize, type Summary } from './stats.js';

export interface GatewayBrokerResult {
  broker: string;
  direct: Summary;
  viaGateway: Summary;
  gatewayOverheadMs: number;
  /** SDK Client → Streamable HTTP → SDK Server in this process, no MQTT: what the HTTP transport costs by itself. */
  httpOnly: Summary;
  /** via gateway − direct − HTTP alone (medians): roughly what the gateway's own code adds beyond the HTTP transport. */
  gatewayBeyondHttpMs: number;
  /** The same in-process reference with the SDK transport's JSON response mode (what the gateway uses for a plain call). */
  httpOnlyJson?: Summary;
  /** via gateway − direct − HTTP alone in JSON mode (medians). */
  gatewayBeyondJsonHttpMs?: number;
  /** The same agent → the minimal stand-in → MQTT → the same device. */
  viaStandIn?: Summary;
  /** via stand-in − direct (medians): what the least HTTP-to-MQTT hop costs this agent on this machine. */
  standInOverheadMs?: number;
  /** via gateway − via stand-in (medians): what the gateway's own code adds beyond that floor. */
  gatewayBeyondStandInMs?: number;
}

export interface GatewayResult {
  brokers: GatewayBrokerResult[];
  gateway_overhead_ms: number;
  gateway_stand_in_overhead_ms?: number;
}

const SETUPS = [
  { label: 'mosquitto (set_tcp_nodelay true)', kind: 'mosquitto' as const },
  { label: 'embedded (in-process)', kind: 'embedded' as const },
];

export async function runGateway(log: (line: string) => void): Promise<GatewayResult> {
  const brokers: GatewayBrokerResult[] = [];
  for (const setup of SETUPS) {
    const broker = await startBroker(setup.kind, { nodelay: true });
    const stops: (() => Promise<unknown>)[] = [];
    try {
      const serverName = `bench/gw-${uid()}`;
      const host = await startHostedDevice(broker.url, serverName);
      stops.push(() => host.stop());
      const client = await connectClient(broker.url);
      stops.push(() => client.close());
      const gateway = new McpGateway({ client });
      const address = await gateway.start();
      stops.push(() => gateway.stop());
      const agent = new Client({ name: 'bench-agent', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(gateway.urlFor(serverName)), {
        requestInit: { headers: { Authorization: `Bearer ${address.token}` } },
      });
      await agent.connect(transport);
      stops.push(async () => {
        await transport.terminateSession().catch(() => undefined);
        await agent.close();
      });
      const http = await startHttpOnlyServer(false);
      stops.push(() => http.stop());
      const httpAgent = new Client({ name: 'bench-http-agent', version: '1.0.0' });
      await httpAgent.connect(new StreamableHTTPClientTransport(new URL(http.url)));
      stops.push(() => httpAgent.close());
      const jsonHttp = await startHttpOnlyServer(true);
      stops.push(() => jsonHttp.stop());
      const jsonHttpAgent = new Client({ name: 'bench-json-http-agent', version: '1.0.0' });
      await jsonHttpAgent.connect(new StreamableHTTPClientTransport(new URL(jsonHttp.url)));
      stops.push(() => jsonHttpAgent.close());
      const standIn = await startGatewayStandIn(client, serverName, broker.url);
      stops.push(() => standIn.stop());
      const standInAgent = new Client({ name: 'bench-stand-in-agent', version: '1.0.0' });
      await standInAgent.connect(new StreamableHTTPClientTransport(new URL(standIn.url)));
      stops.push(() => standInAgent.close());
      const samples = await interleave(
        [
          { name: 'direct', once: () => oursCall(client, serverName) },
          { name: 'httpOnly', once: async () => void (await httpAgent.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) },
          { name: 'httpOnlyJson', once: async () => void (await jsonHttpAgent.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) },
          { name: 'gateway', once: async () => void (await agent.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) },
          { name: 'standIn', once: async () => void (await standInAgent.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) },
        ],
        { batch: 50, sliceMs: 300, budgetMs: 6_000, maxSamples: 2_000, warmup: 100 },
      );
      const direct = samples.direct as number[];
      const viaGateway = samples.gateway as number[];
      const gatewayOverheadMs = round(median(viaGateway) - median(direct), 3);
      const httpOnly = roundSummary(summarize(samples.httpOnly as number[]));
      const gatewayBeyondHttpMs = round(gatewayOverheadMs - median(samples.httpOnly as number[]), 3);
      const httpOnlyJson = roundSummary(summarize(samples.httpOnlyJson as number[]));
      const gatewayBeyondJsonHttpMs = round(gatewayOverheadMs - median(samples.httpOnlyJson as number[]), 3);
      const viaStandIn = samples.standIn as number[];
      const standInOverheadMs = round(median(viaStandIn) - median(direct), 3);
      const gatewayBeyondStandInMs = round(median(viaGateway) - median(viaStandIn), 3);
      brokers.push({
        broker: setup.label,
        direct: roundSummary(summarize(direct)),
        viaGateway: roundSummary(summarize(viaGateway)),
        gatewayOverheadMs,
        httpOnly,
        gatewayBeyondHttpMs,
        httpOnlyJson,
        gatewayBeyondJsonHttpMs,
        viaStandIn: roundSummary(summarize(viaStandIn)),
        standInOverheadMs,
        gatewayBeyondStandInMs,
      });
      log(`  ${setup.label}: direct median ${round(median(direct))} ms, via gateway ${round(median(viaGateway))} ms, overhead ${gatewayOverheadMs} ms; via the minimal stand-in ${standInOverheadMs} ms (the gateway adds ${gatewayBeyondStandInMs} beyond it); HTTP alone (no MQTT) ${httpOnly.median} ms SSE, ${httpOnlyJson.median} ms JSON`);
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await broker.stop();
    }
  }
  return { brokers, gateway_overhead_ms: brokers[0]!.gatewayOverheadMs, gateway_stand_in_overhead_ms: brokers[0]!.standInOverheadMs };
}

/** One SDK Server behind the SDK's Streamable HTTP transport (SSE per call, or its JSON response mode), for one agent session. */
async function startHttpOnlyServer(enableJsonResponse: boolean): Promise<{ url: string; stop(): Promise<void> }> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), enableJsonResponse });
  const server = makeSdkServer('http-only', 'agent');
  await server.connect(transport);
  const http = createServer((req, res) => void transport.handleRequest(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    stop: async () => {
      await server.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
