// The least any HTTP-to-MQTT hop must do, for comparison with the gateway: node:http → JSON.parse → an
// MqttClientTransport on a dedicated connection → the device's answer as application/json. No auth, no
// sessions, no checks, no SSE, no pass-through of anything else. Every POSTed message is forwarded as it is,
// initialize included, so the SDK's StreamableHTTPClientTransport can talk to it like to the gateway.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { McpMqttClient } from '../src/core/client/mcp-client.js';
import { MqttClientTransport } from '../src/core/transport/client-transport.js';

export interface GatewayStandIn {
  url: string;
  stop(): Promise<void>;
}

export async function startGatewayStandIn(client: McpMqttClient, serverName: string, brokerUrl: string): Promise<GatewayStandIn> {
  const instance = client.rankedInstances(serverName)[0];
  if (!instance) throw new Error(`stand-in: ${serverName} is not discovered`);
  const connection = client.createDedicatedConnection();
  await connection.connect();
  const transport = new MqttClientTransport({ connection, serverId: instance.serverId, serverName, broker: brokerUrl });
  const waiting = new Map<unknown, (answer: string) => void>();
  transport.onmessage = (message) => {
    const id = (message as { id?: unknown }).id;
    waiting.get(id)?.(JSON.stringify(message));
    waiting.delete(id);
  };
  await transport.start();
  const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000, noDelay: true }, (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JSONRPCMessage & { id?: string | number };
      if (message.id === undefined) {
        void transport.send(message);
        res.writeHead(202).end();
        return;
      }
      waiting.set(message.id, (body) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
      void transport.send(message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    stop: async () => {
      server.close();
      server.closeAllConnections();
      await transport.close();
      await connection.close();
    },
  };
}
