import { brokerOptions, COMMON_HELP, intOption, parse } from '../args.js';
import { withClient } from '../connect.js';
import { printJson } from '../output.js';

export const discoverHelp = `mqtt-mcp discover --broker URL [--filter F]... [--wait MS] [--json]
  Lists the MCP servers whose retained presence is on the broker.
  --filter F   server-name filter (MQTT wildcards allowed; repeatable; default "#")
  --wait MS    keep listening this long for servers that come online (default 0: the retained snapshot)
${COMMON_HELP}`;

export async function discover(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...brokerOptions, filter: { type: 'string', multiple: true }, wait: { type: 'string' } });
  const wait = intOption(values, 'wait', 0, 0, 3_600_000);
  const servers = await withClient(values, async (client) => {
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return client.registry.servers().filter((s) => s.online);
  });
  if (values.json) {
    printJson(servers.map((s) => ({ name: s.name, instances: s.instances.map((i) => ({ id: i.serverId, description: i.description, meta: i.meta })) })));
    return 0;
  }
  if (servers.length === 0) {
    process.stdout.write('no MCP servers online\n');
    return 0;
  }
  for (const s of servers) {
    const first = s.instances[0];
    const count = s.instances.length > 1 ? ` (${s.instances.length} instances)` : '';
    process.stdout.write(`${s.name}${count}${first?.description ? `  ${first.description}` : ''}\n`);
    if (s.instances.length > 1) for (const i of s.instances) process.stdout.write(`  - ${i.serverId}\n`);
  }
  return 0;
}
