import { brokerConfig, brokerOptions, COMMON_HELP, CommandError, intOption, parse, UsageError, type Values } from '../args.js';
import { DeviceProxy } from '../../core/proxy/index.js';
import { DeviceModelError } from '../../core/device/index.js';
import { stderrLogger } from '../output.js';
import { untilStopped } from '../signals.js';

export const proxyHelp = `mqtt-mcp proxy MODEL... --broker URL [--device-broker URL] [--instances N | --id ID...]
  Serves existing MQTT / Sparkplug B devices as MCP servers, as their model files describe them (attribute
  'source', function 'publish', event 'source' bindings). Runs until stopped (Ctrl+C); a clean stop clears presence.
  --device-broker URL       broker the devices use (default: --broker); same TLS options, credentials with
                            --device-username and --device-password (or $DEVICE_MQTT_PASSWORD)
  --instances N             copies of each model, numbered {n} = 1..N in serverName and topics
  --id ID                   proxy one instance with this server-id ({id} in serverName and topics); repeatable
${COMMON_HELP}`;

export async function proxy(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...brokerOptions,
    'device-broker': { type: 'string' },
    'device-username': { type: 'string' },
    'device-password': { type: 'string' },
    instances: { type: 'string', short: 'n' },
    id: { type: 'string', multiple: true },
  }, true);
  if (positionals.length === 0) throw new UsageError('give at least one device model file, e.g. mqtt-mcp proxy examples/proxy/livingroom-thermostat.device.yaml --broker mqtt://localhost:1883');
  const ids = values.id as string[] | undefined;
  if (ids?.length && values.instances !== undefined) throw new UsageError('give either --instances or --id, not both');
  const instances = intOption(values, 'instances', 1, 1, 10_000);
  const broker = brokerConfig(values);
  const deviceProxy = new DeviceProxy({ broker, deviceBroker: deviceBrokerConfig(values), logger: stderrLogger() });
  try {
    for (const file of positionals) {
      const devices = await deviceProxy.addFile(file, ids?.length ? { ids } : { instances }).catch((e: unknown) => {
        throw new CommandError(e instanceof DeviceModelError ? e.message : `${file}: ${(e as Error).message}`);
      });
      for (const d of devices) process.stdout.write(`online  ${d.serverName}  (${d.serverId}) <- devices on ${d.deviceBroker}\n`);
    }
    process.stdout.write('proxying; Ctrl+C stops and clears presence\n');
    await untilStopped();
  } finally {
    await deviceProxy.stop();
  }
  return 0;
}

function deviceBrokerConfig(values: Values): ReturnType<typeof brokerConfig> | undefined {
  if (values['device-broker'] === undefined) return undefined;
  // The device broker shares the TLS options but never the MCP broker's credentials: they are separate systems.
  const password = (values['device-password'] as string | undefined) ?? process.env.DEVICE_MQTT_PASSWORD;
  return brokerConfig({
    ...values,
    broker: values['device-broker'],
    username: values['device-username'],
    password: password ?? '',
  });
}
