import { McpGateway, type GatewayServer } from '../../core/gateway/index.js';
import { brokerOptions, COMMON_HELP, CommandError, intOption, parse } from '../args.js';
import { connectClient } from '../connect.js';
import { untilStopped } from '../signals.js';
import { stderrLogger, terminalSafeLine as safe } from '../output.js';

export const gatewayHelp = `mqtt-mcp gateway --broker URL [--port P] [--filter F]... [--json]
  Serves every discovered MCP server over Streamable HTTP on 127.0.0.1, one URL per server-name, until
  Ctrl+C. Clients send "Authorization: Bearer <token>"; the token is new on each start unless
  $MQTT_MCP_GATEWAY_TOKEN sets it.
  --port P     port to listen on (default: a free one)
  --filter F   server-name filter (MQTT wildcards allowed; repeatable; default "#")
  --fleet-max-call-many N   most devices one call_many of the fleet server may reach (default 100)
  --json       print one JSON line {"token", "servers": [{"name", "url"}], "fleet": {"name", "url"}} at start and
               on every change
  The fleet server (one MCP server for every device on the broker: find_devices, describe_device,
  call_device_tool, read_device_resource, call_many) is at <base URL>/fleet.
${COMMON_HELP}`;

export async function gateway(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...brokerOptions, port: { type: 'string' }, filter: { type: 'string', multiple: true }, 'fleet-max-call-many': { type: 'string' } });
  const port = intOption(values, 'port', 0, 0, 65_535);
  const maxCallMany = intOption(values, 'fleet-max-call-many', 100, 1, 100_000);
  const client = await connectClient(values, { longLived: true });
  const gw = new McpGateway({ client, port, token: process.env.MQTT_MCP_GATEWAY_TOKEN || undefined, logger: stderrLogger(), fleet: { maxCallMany } });
  try {
    const { token, baseUrl } = await gw.start().catch((e: Error) => {
      throw new CommandError(`could not listen on 127.0.0.1:${port}: ${e.message}`);
    });
    const print = (servers: GatewayServer[], first: boolean): void => {
      const fleet = gw.fleetServer();
      if (values.json) process.stdout.write(JSON.stringify({ token, servers, fleet }) + '\n');
      else process.stdout.write(describe(servers, first ? { token, baseUrl, fleet } : undefined));
    };
    print(gw.servers(), true);
    gw.onDidChangeServers((servers) => print(servers, false));
    await untilStopped();
    return 0;
  } finally {
    await gw.stop();
    await client.close().catch(() => undefined);
  }
}

function describe(servers: GatewayServer[], start: { token: string; baseUrl: string; fleet?: GatewayServer } | undefined): string {
  const lines: string[] = [];
  if (start) {
    lines.push(`MCP gateway (Streamable HTTP) on ${start.baseUrl}`, `Send the header  Authorization: Bearer ${start.token}`, '');
    if (start.fleet) lines.push(`Fleet server (every device, five tools): ${start.fleet.url}`, '');
  } else {
    lines.push('', 'Servers changed:');
  }
  if (servers.length === 0) lines.push('No MCP servers online yet; waiting for them.');
  const width = Math.max(0, ...servers.map((s) => safe(s.name).length));
  for (const s of servers) lines.push(`  ${safe(s.name).padEnd(width)}  ${safe(s.url)}`);
  if (start) lines.push('', 'Point an MCP client at a URL above with that header (type "http" / Streamable HTTP). Ctrl+C stops.');
  return lines.join('\n') + '\n';
}
