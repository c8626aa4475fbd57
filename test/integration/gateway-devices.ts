// Devices and agents shared by the gateway and bridge tests: an McpMqttServerHost running an SDK McpServer
// (tools that fail, report progress, ask the agent for sampling, and wait), and an SDK Client for agents.
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { McpMqttServerHost } from '../../src/core/server/host.js';

export interface HostedDevice {
  host: McpMqttServerHost;
  /** Resolves each time a `wait` call has reached the device. */
  waitStarted(): Promise<void>;
  /** How many `wait` calls ended because the agent cancelled them. */
  cancelled: number;
}

export async function startHostedDevice(url: string, serverId: string, serverName: string): Promise<HostedDevice> {
  let startedWaiters: (() => void)[] = [];
  const device: HostedDevice = {
    host: undefined as unknown as McpMqttServerHost,
    waitStarted: () => new Promise((resolve) => startedWaiters.push(resolve)),
    cancelled: 0,
  };
  const createServer = ({ clientId }: { clientId: string }): Server => {
    const mcp = new McpServer({ name: 'hosted-test-device', version: '2.0.0' }, { capabilities: { tools: { listChanged: true } }, instructions: 'hosted test device' });
    mcp.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
    mcp.registerTool('whoami', {}, () => ({ content: [{ type: 'text', text: clientId }] }));
    mcp.registerTool('fail', {}, () => ({ content: [{ type: 'text', text: 'failed on purpose' }], isError: true }));
    mcp.registerTool('count', { inputSchema: { to: z.number() } }, async ({ to }, extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= to && token !== undefined; i++) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: to } });
      }
      return { content: [{ type: 'text', text: `counted to ${to}` }] };
    });
    mcp.registerTool('ask', { inputSchema: { question: z.string() } }, async ({ question }) => {
      const answer = await mcp.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: question } }], maxTokens: 50 });
      return { content: [{ type: 'text', text: answer.content.type === 'text' ? answer.content.text : '?' }] };
    });
    mcp.registerTool('wait', {}, async (extra) => {
      const waiters = startedWaiters;
      startedWaiters = [];
      for (const w of waiters) w();
      await new Promise<void>((resolve) => {
        extra.signal.addEventListener('abort', () => {
          device.cancelled++;
          resolve();
        });
      });
      return { content: [{ type: 'text', text: 'cancelled' }] };
    });
    return mcp.server;
  };
  device.host = new McpMqttServerHost({ broker: { url }, serverId, serverName, description: `hosted ${serverName}`, reconnect: false, createServer });
  await device.host.start();
  return device;
}

export const textOf = (result: unknown): string => {
  const first = (result as { content?: { type: string; text?: string }[] }).content?.[0];
  return first?.text ?? '';
};

/**
 * Records every message the agent's transport delivers. Progress is checked here rather than with
 * `onprogress`: the SDK Client handles notifications a microtask later than responses, so progress that
 * arrives in the same read as the result is dropped by the client itself, whatever the server did.
 */
export function recordIncoming(transport: { onmessage?: (message: JSONRPCMessage, extra?: never) => void }): JSONRPCMessage[] {
  const seen: JSONRPCMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    seen.push(message);
    deliver?.(message, extra);
  };
  return seen;
}

/** The progress values sent for a request before its response, from a recording. */
export function progressBeforeResult(seen: JSONRPCMessage[], token: string | number): number[] {
  const values: number[] = [];
  for (const m of seen) {
    if ('id' in m && m.id === token && !('method' in m)) return values;
    const params = (m as { method?: string; params?: { progressToken?: unknown; progress?: number } }).params;
    if ('method' in m && m.method === 'notifications/progress' && params?.progressToken === token) values.push(params.progress ?? NaN);
  }
  throw new Error(`no response for request ${token}`);
}
