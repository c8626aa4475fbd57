import { brokerOptions, COMMON_HELP, intOption, parse } from '../args.js';
import { withClient } from '../connect.js';
import { printJson, terminalSafeLine as safe } from '../output.js';

export const discoverHelp = `mqtt-mcp discover --broker URL [--filter F]... [--wait MS] [--json]
  Lists the MCP servers whose retained presence is on the broker.
  --filter F   server-name filter (MQTT wildcards allowed; repeatable; default "#")
  --wait MS    keep listening this long for servers that come online (default 0: the retained snapshot)
  --snapshot-timeout MS   stop waiting for the retained snapshot after this long (default 60000); the wait
               also ends 3 s after presence stops arriving when the broker never confirms the end
Exit code 3: the list was printed but the snapshot may be incomplete (the reason is on stderr).
${COMMON_HELP}`;

export async function discover(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...brokerOptions, filter: { type: 'string', multiple: true }, wait: { type: 'string' }, 'snapshot-timeout': { type: 'string' } });
  const wait = intOption(values, 'wait', 0, 0, 3_600_000);
  const maxMs = intOption(values, 'snapshot-timeout', 60_000, 100, 3_600_000);
  const { servers, snapshot } = await withClient(
    values,
    async (client) => {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return { servers: client.registry.servers().filter((s) => s.online), snapshot: client.snapshot };
    },
    undefined,
    { maxMs, idleMs: Math.min(3_000, maxMs) },
  );
  const incomplete = snapshot && !snapshot.complete;
  if (incomplete) process.stderr.write(`mqtt-mcp discover: warning: ${servers.length} servers listed, but the snapshot may be incomplete: ${snapshot.problem}\n`);
  if (values.json) {
    printJson(
      servers.map((s) => ({
        name: s.name,
        instances: s.instances.map((i) => ({ id: i.serverId, description: i.description, meta: i.meta, ...(i.presenceProblem ? { presenceError: i.presenceProblem } : {}) })),
      })),
    );
    return incomplete ? 3 : 0;
  }
  if (servers.length === 0) {
    process.stdout.write('no MCP servers online\n');
    return incomplete ? 3 : 0;
  }
  for (const s of servers) {
    const first = s.instances[0];
    const count = s.instances.length > 1 ? ` (${s.instances.length} instances)` : '';
    const problem = s.instances.find((i) => i.presenceProblem)?.presenceProblem;
    process.stdout.write(`${safe(s.name)}${count}${first?.description ? `  ${safe(first.description)}` : ''}${problem ? `  [malformed presence: ${safe(problem)}]` : ''}\n`);
    if (s.instances.length > 1) for (const i of s.instances) process.stdout.write(`  - ${safe(i.serverId)}\n`);
  }
  return incomplete ? 3 : 0;
}
