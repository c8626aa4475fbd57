import { EmbeddedBroker } from '../../core/broker/index.js';
import { intOption, parse } from '../args.js';

export const brokerHelp = `mqtt-mcp broker [--host 127.0.0.1] [--port 1883]
  Runs the embedded MQTT 5 broker until stopped (Ctrl+C). Loopback only unless --host says otherwise.`;

export async function broker(argv: string[]): Promise<number> {
  const { values } = parse(argv, { host: { type: 'string' }, port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } });
  const port = intOption(values, 'port', 1883, 0, 65535);
  const embedded = new EmbeddedBroker({ host: (values.host as string | undefined) ?? '127.0.0.1', port });
  const { url } = await embedded.start();
  process.stdout.write(`embedded MQTT 5 broker listening on ${url}\n`);
  await untilSignal();
  await embedded.stop();
  return 0;
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
