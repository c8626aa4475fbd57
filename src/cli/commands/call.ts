import { classifyRequestError, describeRequestError } from '../../core/transport/local-errors.js';
import { brokerOptions, COMMON_HELP, CommandError, intOption, parse, requireString, jsonObjectOption } from '../args.js';
import { openSession, withClient } from '../connect.js';
import { Deadline } from '../deadline.js';
import { formatContent, printJson, terminalSafe } from '../output.js';

export const callHelp = `mqtt-mcp call --broker URL --server NAME --tool TOOL [--args JSON] [--timeout MS] [--json]
  Calls a tool and prints its content (text as text). Exits 1 on a JSON-RPC error or a result with isError.
  With --json, a failure is also printed on stdout as {"error": {"message", "code"?, "server", "tool"}}.
  --args JSON    arguments as a JSON object (default {})
  --timeout MS   bound on the whole command: connect, discovery, initialize and the call (default 60000)
${COMMON_HELP}`;

export async function call(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...brokerOptions, server: { type: 'string', short: 's' }, tool: { type: 'string', short: 't' }, args: { type: 'string', short: 'a' }, timeout: { type: 'string' } });
  const serverName = requireString(values, 'server', 'home/thermostat/1');
  const tool = requireString(values, 'tool', 'set_target');
  const args = jsonObjectOption(values.args as string | undefined, 'args');
  const timeout = intOption(values, 'timeout', 60_000, 1, 3_600_000);
  let errorCode: number | undefined;
  const deadline = new Deadline(timeout);
  const result = await withClient(
    values,
    async (client) => {
      const session = await openSession(client, serverName, deadline);
      const calling = session.callTool(tool, args, { timeoutMs: deadline.remaining() }).catch((e: unknown) => {
        const failure = classifyRequestError(e);
        if (failure.kind === 'server') errorCode = failure.code;
        throw new CommandError(describeRequestError(e, serverName));
      });
      return deadline.run(`calling ${tool} on ${serverName}`, calling);
    },
    { callMs: timeout },
    undefined,
    deadline,
  ).catch((e: unknown) => {
    // A script reading stdout learns of the failure too, not only a person reading stderr.
    if (values.json) printJson({ error: { message: (e as Error).message, ...(errorCode !== undefined ? { code: errorCode } : {}), server: serverName, tool } });
    throw e;
  });
  if (values.json) printJson(result);
  else {
    const text = terminalSafe(formatContent(result));
    (result.isError ? process.stderr : process.stdout).write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  return result.isError ? 1 : 0;
}
