// `mqtt-mcp`: the command-line face of the core. Each command is a thin layer over src/core.
import { CommandError, UsageError } from './args.js';
import { bridge, bridgeHelp } from './commands/bridge.js';
import { broker, brokerHelp } from './commands/broker.js';
import { call, callHelp } from './commands/call.js';
import { check, checkHelp } from './commands/check.js';
import { discover, discoverHelp } from './commands/discover.js';
import { gateway, gatewayHelp } from './commands/gateway.js';
import { list, listHelp } from './commands/list.js';
import { proxy, proxyHelp } from './commands/proxy.js';
import { demo, demoHelp, simulate, simulateHelp } from './commands/simulate.js';
import { scaffold, scaffoldHelp } from './commands/scaffold.js';

interface Command {
  run(argv: string[]): Promise<number>;
  help: string;
  summary: string;
}

const commands: Record<string, Command> = {
  broker: { run: broker, help: brokerHelp, summary: 'run the embedded MQTT 5 broker' },
  discover: { run: discover, help: discoverHelp, summary: 'list MCP servers on a broker' },
  list: { run: list, help: listHelp, summary: "list a server's tools, resources and prompts" },
  call: { run: call, help: callHelp, summary: 'call a tool' },
  check: { run: check, help: checkHelp, summary: "check a device's MCP over MQTT against the spec" },
  gateway: { run: gateway, help: gatewayHelp, summary: 'serve discovered servers over Streamable HTTP on localhost' },
  bridge: { run: bridge, help: bridgeHelp, summary: 'serve one server as an MCP server on stdio' },
  simulate: { run: simulate, help: simulateHelp, summary: 'run device model files as MCP servers' },
  demo: { run: demo, help: demoHelp, summary: 'embedded broker + all example devices' },
  proxy: { run: proxy, help: proxyHelp, summary: 'serve existing MQTT / Sparkplug B devices as MCP servers' },
  scaffold: { run: scaffold, help: scaffoldHelp, summary: 'generate a device server (TypeScript or C) from a device model' },
};

export function registerCommand(name: string, command: Command): void {
  commands[name] = command;
}

function usage(): string {
  const rows = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return `mqtt-mcp: MCP over MQTT from the command line\n\nUsage: mqtt-mcp <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "mqtt-mcp <command> --help" for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`mqtt-mcp: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`mqtt-mcp ${name}: ${e.message}\nRun "mqtt-mcp ${name} --help" for usage.\n`);
      return 2;
    }
    if (e instanceof CommandError) {
      process.stderr.write(`mqtt-mcp ${name}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`mqtt-mcp ${name}: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}

/**
 * Exits once everything written to stdout and stderr has left the process. On a pipe, Node writes
 * asynchronously, and process.exit() right after a large write cuts the output short (with exit code 0).
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let waiting = 2;
  const done = (): void => {
    if (--waiting === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    let flushed = false;
    const once = (): void => {
      if (flushed) return;
      flushed = true;
      done();
    };
    // A reader that went away (`| head`) is no reason to hang or crash.
    stream.once('error', once);
    // Writes complete in order: this callback runs when all earlier output is flushed.
    stream.write('', once);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(exitWhenFlushed, (e) => {
    process.stderr.write(`mqtt-mcp: ${String(e)}\n`);
    exitWhenFlushed(1);
  });
}
