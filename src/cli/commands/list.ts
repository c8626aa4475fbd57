import { DEFAULT_LIST_TIMEOUT_MS, fetchLists, type CatalogProblem } from '../../core/client/catalog-lists.js';
import { brokerOptions, COMMON_HELP, intOption, parse, requireString } from '../args.js';
import { openSession, withClient } from '../connect.js';
import { Deadline } from '../deadline.js';
import { printJson, terminalSafeLine as safe } from '../output.js';

export const listHelp = `mqtt-mcp list --broker URL --server NAME [--list-timeout MS] [--timeout MS] [--json]
  Initializes a session with the server and lists its tools, resources, resource templates and prompts.
  Each list is fetched on its own: one that fails (not implemented, malformed, unanswered) is shown empty
  with a warning on stderr (and in "problems" with --json), and the others are still shown. Exits 0 when
  at least the tools came back, 1 otherwise.
  --list-timeout MS   how long to wait for each page of resources, templates and prompts (default ${DEFAULT_LIST_TIMEOUT_MS})
  --timeout MS        bound on the whole command: connect, discovery, initialize and every list (default 60000)
${COMMON_HELP}`;

export async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...brokerOptions, server: { type: 'string', short: 's' }, 'list-timeout': { type: 'string' }, timeout: { type: 'string' } });
  const serverName = requireString(values, 'server', 'home/thermostat/1');
  const listTimeoutMs = intOption(values, 'list-timeout', DEFAULT_LIST_TIMEOUT_MS, 1, 3_600_000);
  const deadline = new Deadline(intOption(values, 'timeout', 60_000, 1, 3_600_000));
  const result = await withClient(
    values,
    async (client) => {
      const session = await openSession(client, serverName, deadline);
      // Pages of the optional lists get what is left of --timeout at most; the whole listing is bounded too.
      const lists = await deadline.run(`listing ${serverName}`, fetchLists(session, { listTimeoutMs: Math.min(listTimeoutMs, deadline.remaining()) }));
      return { server: { name: serverName, id: session.serverId, info: session.serverInfo }, ...lists };
    },
    { listMs: deadline.totalMs },
    undefined,
    deadline,
  ).catch((e: unknown) => {
    // As with `call`: a script reading stdout learns of the failure too.
    if (values.json) printJson({ error: { message: (e as Error).message, server: serverName } });
    throw e;
  });
  const toolProblem = result.problems.find((p) => p.list === 'tools');
  // Tools partly read (some items dropped) still came back; a tools list that failed outright did not.
  const exitCode = toolProblem && result.tools.length === 0 ? 1 : 0;
  for (const p of result.problems) process.stderr.write(`mqtt-mcp list: ${p === toolProblem && exitCode ? 'error' : 'warning'}: ${safe(p.message)}\n`);
  if (values.json) {
    printJson(result);
    return exitCode;
  }
  const out: string[] = [safe(`${serverName} (${result.server.id}) ${result.server.info?.name ?? ''} ${result.server.info?.version ?? ''}`.trimEnd())];
  const section = (title: string, list: CatalogProblem['list'], rows: string[]): void => {
    const broken = result.problems.some((p) => p.list === list);
    out.push(`\n${title} (${rows.length}${broken ? ', see warning' : ''})`);
    for (const r of rows) out.push(`  ${safe(r)}`);
  };
  section('Tools', 'tools', result.tools.map((t) => `${t.name}${t.description ? `  ${firstLine(t.description)}` : ''}`));
  section('Resources', 'resources', result.resources.map((r) => `${r.uri}${r.name ? `  ${r.name}` : ''}`));
  section('Resource templates', 'resourceTemplates', result.resourceTemplates.map((r) => `${r.uriTemplate}${r.name ? `  ${r.name}` : ''}`));
  section('Prompts', 'prompts', result.prompts.map((p) => `${p.name}${p.description ? `  ${firstLine(p.description)}` : ''}`));
  process.stdout.write(out.join('\n') + '\n');
  return exitCode;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
