// A hostile or broken MCP-over-MQTT device for reliability tests: plain `mqtt` and hand-written JSON-RPC.
// It initializes like a correct device (unless told not to), and answers every tools/call with whatever raw
// payload the test's script returns: malformed JSON-RPC, wrong ids, deep nesting, control characters, or
// nothing at all.
import type { MqttClient } from 'mqtt';
import { connectRawMqtt, endAsync, publishAsync, subscribeAsync } from '../fixtures/raw-device.js';

export interface CallContext {
  id: string | number;
  tool: string;
  args: Record<string, unknown>;
}

export interface ScriptedDeviceOptions {
  url: string;
  serverId: string;
  serverName: string;
  description?: string;
  tools?: { name: string; description?: string }[];
  /** Answer initialize (default true); false imitates a device that never completes the handshake. */
  answerInitialize?: boolean;
  /** The raw payload to answer a call with (a string is sent as is), or undefined to stay silent. */
  onCall?: (call: CallContext) => string | Record<string, unknown> | undefined;
}

export interface ScriptedDevice {
  readonly presenceTopic: string;
  /** The RPC topic of the most recent client to initialize. */
  rpcTopicOf(clientId: string): string;
  readonly calls: CallContext[];
  /** Sends a raw payload to a client's RPC topic (notifications, replies out of turn). */
  sendRaw(clientId: string, payload: string): Promise<void>;
  clientIds(): string[];
  stop(): Promise<void>;
}

export async function startScriptedDevice(options: ScriptedDeviceOptions): Promise<ScriptedDevice> {
  const { serverId, serverName } = options;
  const presenceTopic = `$mcp-server/presence/${serverId}/${serverName}`;
  const controlTopic = `$mcp-server/${serverId}/${serverName}`;
  const rpcTopicOf = (cid: string): string => `$mcp-rpc/${cid}/${serverId}/${serverName}`;
  const userProperties = { 'MCP-COMPONENT-TYPE': 'mcp-server', 'MCP-MQTT-CLIENT-ID': serverId };
  const calls: CallContext[] = [];
  const clients = new Set<string>();
  const client: MqttClient = await connectRawMqtt(options.url, serverId, {
    will: { topic: presenceTopic, payload: Buffer.alloc(0), qos: 1, retain: true },
    properties: { sessionExpiryInterval: 0, userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-server' } },
  });
  const publish = (topic: string, payload: string, retain = false): Promise<void> =>
    publishAsync(client, topic, payload, { qos: 1, retain, properties: { userProperties } });
  const reply = (cid: string, body: string | Record<string, unknown>): Promise<void> =>
    publish(rpcTopicOf(cid), typeof body === 'string' ? body : JSON.stringify({ jsonrpc: '2.0', ...body }));

  client.on('message', (topic, payload, packet) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (topic === controlTopic) {
      const raw = packet.properties?.userProperties?.['MCP-MQTT-CLIENT-ID'];
      const cid = Array.isArray(raw) ? raw[0] : raw;
      if (!cid || m.method !== 'initialize' || options.answerInitialize === false) return;
      void subscribeAsync(client, { [rpcTopicOf(cid)]: { qos: 1, nl: true } }).then(() => {
        clients.add(cid);
        return reply(cid, {
          id: m.id as string | number,
          result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'scripted-device', version: '1.0.0' } },
        });
      });
      return;
    }
    const cid = topic.split('/')[1] as string;
    if (m.method === 'tools/list') {
      const tools = (options.tools ?? [{ name: 'go' }]).map((t) => ({ ...t, inputSchema: { type: 'object' } }));
      void reply(cid, { id: m.id as string | number, result: { tools } });
    } else if (m.method === 'tools/call') {
      const params = (m.params ?? {}) as { name?: string; arguments?: Record<string, unknown> };
      const call = { id: m.id as string | number, tool: params.name ?? '', args: params.arguments ?? {} };
      calls.push(call);
      const answer = options.onCall?.(call);
      if (answer !== undefined) void reply(cid, answer);
    } else if (m.method === 'ping') {
      void reply(cid, { id: m.id as string | number, result: {} });
    }
  });
  await subscribeAsync(client, { [controlTopic]: { qos: 1 } });
  const presence = { jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: serverName, description: options.description ?? 'scripted device', meta: {} } };
  await publish(presenceTopic, JSON.stringify(presence), true);

  return {
    presenceTopic,
    rpcTopicOf,
    calls,
    sendRaw: (cid, payload) => publish(rpcTopicOf(cid), payload),
    clientIds: () => [...clients],
    async stop() {
      await publish(presenceTopic, '', true).catch(() => undefined);
      await endAsync(client);
    },
  };
}

/** Nested arrays `depth` levels deep, as JSON text (built as text: a value that deep cannot be stringified). */
export function deepJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
