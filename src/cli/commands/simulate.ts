import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brokerConfig, brokerOptions, COMMON_HELP, CommandError, intOption, parse, UsageError } from '../args.js';
import { Simulator } from '../../core/simulator/simulator.js';
import { startDemo } from '../../core/simulator/demo.js';
import { DeviceModelError } from '../../core/device/index.js';
import { stderrLogger } from '../output.js';
import { untilStopped } from '../signals.js';

export const simulateHelp = `mqtt-mcp simulate FILE... --broker URL [--instances N]
  Runs device model files (JSON or YAML) as MCP servers until stopped (Ctrl+C); a clean stop clears presence.
  --instances N   copies of each model (distinct server-ids; "{n}" in serverName numbers them)
${COMMON_HELP}`;

export async function simulate(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...brokerOptions, instances: { type: 'string', short: 'n' } }, true);
  if (positionals.length === 0) throw new UsageError('give at least one device model file, e.g. mqtt-mcp simulate examples/devices/smart-thermostat.device.yaml --broker mqtt://localhost:1883');
  const instances = intOption(values, 'instances', 1, 1, 10_000);
  const simulator = new Simulator({ broker: brokerConfig(values), logger: stderrLogger() });
  try {
    for (const file of positionals) {
      const devices = await simulator.addFile(file, instances).catch((e) => {
        throw new CommandError(e instanceof DeviceModelError ? e.message : `${file}: ${(e as Error).message}`);
      });
      for (const d of devices) process.stdout.write(`online  ${d.serverName}  (${d.serverId})\n`);
    }
    process.stdout.write('simulating; Ctrl+C stops the devices and clears their presence\n');
    await untilStopped();
  } finally {
    await simulator.stop();
  }
  return 0;
}

export const demoHelp = `mqtt-mcp demo [--port P] [--host 127.0.0.1]
  Starts the embedded broker with every example device, prints the broker URL, and runs until stopped.`;

export async function demo(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string', short: 'p' }, host: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } });
  const port = intOption(values, 'port', 1883, 0, 65535);
  const running = await startDemo({ examplesDir: examplesDir(), port, host: values.host as string | undefined, logger: stderrLogger() });
  if (values.json) process.stdout.write(JSON.stringify({ url: running.url, devices: running.devices.map((d) => ({ name: d.serverName, id: d.serverId })) }) + '\n');
  else {
    process.stdout.write(`broker: ${running.url}\n`);
    for (const d of running.devices) process.stdout.write(`online  ${d.serverName}  (${d.serverId})\n`);
    process.stdout.write(`try: mqtt-mcp discover --broker ${running.url}\n`);
  }
  await untilStopped();
  await running.stop();
  return 0;
}

/** The shipped examples, found from the bundle (dist/cli.js) or the sources (src/cli/commands). */
export function examplesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'examples', 'devices');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new CommandError('cannot find the examples/devices folder next to the CLI');
}
