// The one way the CLI opens an MCP client on a broker: one-shot commands (list, call, discover) fail fast
// and close the client however the command ends; long-running ones (gateway, bridge) reconnect after loss.
import { McpMqttClient } from '../core/client/mcp-client.js';
import type { ServerSession } from '../core/client/session.js';
import type { Timeouts } from '../core/client/session.js';
import type { SnapshotLimits } from '../core/discovery/snapshot.js';
import { brokerConfig, CommandError, type Values } from './args.js';
import type { Deadline } from './deadline.js';
import { stderrLogger } from './output.js';

/** Connects a client from the common broker options; a connect failure is a CommandError (one sentence). */
export async function connectClient(
  values: Values,
  options: { longLived: boolean; timeouts?: Partial<Timeouts>; snapshot?: Partial<SnapshotLimits>; deadline?: Deadline },
): Promise<McpMqttClient> {
  const { deadline } = options;
  const client = new McpMqttClient({
    broker: brokerConfig(values),
    clientId: values['client-id'] as string | undefined,
    clientIdPrefix: 'mqtt-mcp-cli-',
    ...(options.longLived ? {} : { reconnect: false }),
    timeouts: options.timeouts,
    snapshot: options.snapshot,
    connectTimeoutMs: deadline ? Math.min(10_000, deadline.remaining()) : undefined,
    logger: stderrLogger(),
    serverNameFilters: Array.isArray(values.filter) ? (values.filter as string[]) : undefined,
  });
  try {
    const connecting = client.connect().catch((e: Error) => {
      throw new CommandError(e.message);
    });
    await (deadline ? deadline.run(`connecting to ${client.brokerLabel} and reading presence`, connecting) : connecting);
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
  return client;
}

export async function withClient<T>(
  values: Values,
  fn: (client: McpMqttClient) => Promise<T>,
  timeouts?: Partial<Timeouts>,
  snapshot?: Partial<SnapshotLimits>,
  deadline?: Deadline,
): Promise<T> {
  const client = await connectClient(values, { longLived: false, timeouts, snapshot, deadline });
  try {
    return await fn(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Opens a session by server-name, or explains which names exist. */
export async function openSession(client: McpMqttClient, serverName: string, deadline?: Deadline): Promise<ServerSession> {
  const known = client.registry.get(serverName);
  if (!known || !known.online) {
    const names = client.registry.servers().filter((s) => s.online).map((s) => s.name);
    const hint = names.length ? ` Online: ${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length})` : ''}` : ' No servers are online there.';
    throw new CommandError(`no online server named "${serverName}" on ${client.brokerLabel}.${hint}`);
  }
  const opening = client.session(serverName, deadline ? { initializeTimeoutMs: deadline.remaining() } : {}).catch((e: Error) => {
    throw new CommandError(e.message);
  });
  return deadline ? deadline.run(`initializing ${serverName}`, opening) : opening;
}
