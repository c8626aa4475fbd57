import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { McpMqttClient } from '../../core/client/mcp-client.js';
import { DeviceTransport, PassThrough } from '../../core/gateway/index.js';
import { PASS_THROUGH_LIST_TIMEOUT_MS, PASS_THROUGH_PING_TIMEOUT_MS } from '../../core/gateway/pass-through.js';
import { brokerOptions, COMMON_HELP, CommandError, intOption, parse, requireString } from '../args.js';
import { stderrLogger } from '../output.js';
import { connectClient } from '../connect.js';
import { untilStopped } from '../signals.js';

export const bridgeHelp = `mqtt-mcp bridge --broker URL --server NAME [--wait MS] [--ping-timeout MS] [--list-timeout MS]
  An MCP server on stdio backed by one MCP-over-MQTT server, for Claude Desktop, MCP Inspector, Cursor and
  other MCP clients. stdout carries only JSON-RPC; messages go to stderr. If the device drops off, calls fail
  at once until it is back, and then the session resumes.
  --wait MS    how long to wait at start for the server to come online (default 30000)
  --ping-timeout MS   a ping the device leaves unanswered gets a timeout error after this (default ${PASS_THROUGH_PING_TIMEOUT_MS})
  --list-timeout MS   resources, templates and prompts lists left unanswered are answered empty after this
                      (default ${PASS_THROUGH_LIST_TIMEOUT_MS}); an advertised list the device does not implement is
                      answered empty, and a malformed one with its valid items
${COMMON_HELP}`;

export async function bridge(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...brokerOptions,
    server: { type: 'string', short: 's' },
    wait: { type: 'string' },
    'ping-timeout': { type: 'string' },
    'list-timeout': { type: 'string' },
  });
  const serverName = requireString(values, 'server', 'home/thermostat/1');
  const waitMs = intOption(values, 'wait', 30_000, 0, 3_600_000);
  const pingTimeoutMs = intOption(values, 'ping-timeout', PASS_THROUGH_PING_TIMEOUT_MS, 1, 3_600_000);
  const listTimeoutMs = intOption(values, 'list-timeout', PASS_THROUGH_LIST_TIMEOUT_MS, 1, 3_600_000);
  const logger = stderrLogger();
  const client = await connectClient(values, { longLived: true });
  try {
    await waitUntilOnline(client, serverName, waitMs);
    const passThrough = new PassThrough({
      agent: new StdioServerTransport(),
      serverName,
      openDevice: () => new DeviceTransport(client, serverName),
      resumeAfterDeviceLoss: true,
      pingTimeoutMs,
      listTimeoutMs,
      logger,
    });
    const ended = new Promise<void>((resolve) => {
      passThrough.onClose(() => resolve());
      // The client closing our stdin is how it says goodbye.
      process.stdin.once('end', () => resolve());
    });
    await passThrough.start();
    process.stderr.write(`mqtt-mcp bridge: serving "${serverName}" from ${client.brokerLabel} on stdio\n`);
    await untilStopped(ended);
    await passThrough.close();
    return 0;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function waitUntilOnline(client: McpMqttClient, serverName: string, waitMs: number): Promise<void> {
  const online = (): boolean => client.registry.get(serverName)?.online === true;
  if (online()) return;
  process.stderr.write(`mqtt-mcp bridge: waiting up to ${Math.round(waitMs / 1000)} s for "${serverName}" to come online\n`);
  const cameOnline = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), waitMs);
    const stopWatching = client.registry.onDidChange(() => online() && finish(true));
    function finish(result: boolean): void {
      clearTimeout(timer);
      stopWatching();
      resolve(result);
    }
  });
  if (cameOnline) return;
  const names = client.registry.servers().filter((s) => s.online).map((s) => s.name);
  const hint = names.length ? ` Online: ${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length})` : ''}.` : ' No servers are online there.';
  throw new CommandError(`"${serverName}" did not come online on ${client.brokerLabel} within ${Math.round(waitMs / 1000)} s.${hint}`);
}
