import { brokerOptions, COMMON_HELP, parse, requireString } from '../args.js';
import { openSession, withClient } from '../connect.js';
import { printJson } from '../output.js';

export const listHelp = `mqtt-mcp list --broker URL --server NAME [--json]
  Initializes a session with the server and lists its tools, resources, resource templates and prompts.
${COMMON_HELP}`;

export async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...brokerOptions, server: { type: 'string', short: 's' } });
  const serverName = requireString(values, 'server', 'home/thermostat/1');
  const result = await withClient(values, async (client) => {
    const session = await openSession(client, serverName);
    const [tools, resources, resourceTemplates, prompts] = await Promise.all([
      session.listTools(),
      session.listResources(),
      session.listResourceTemplates(),
      session.listPrompts(),
    ]);
    return { server: { name: serverName, id: session.serverId, info: session.serverInfo }, tools, resources, resourceTemplates, prompts };
  });
  if (values.json) {
    printJson(result);
    return 0;
  }
  const out: string[] = [`${serverName} (${result.server.id}) ${result.server.info?.name ?? ''} ${result.server.info?.version ?? ''}`.trimEnd()];
  const section = (title: string, rows: string[]): void => {
    out.push(`\n${title} (${rows.length})`);
    for (const r of rows) out.push(`  ${r}`);
  };
  section('Tools', result.tools.map((t) => `${t.name}${t.description ? `  ${firstLine(t.description)}` : ''}`));
  section('Resources', result.resources.map((r) => `${r.uri}${r.name ? `  ${r.name}` : ''}`));
  section('Resource templates', result.resourceTemplates.map((r) => `${r.uriTemplate}${r.name ? `  ${r.name}` : ''}`));
  section('Prompts', result.prompts.map((p) => `${p.name}${p.description ? `  ${firstLine(p.description)}` : ''}`));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
