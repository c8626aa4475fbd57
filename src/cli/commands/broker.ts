import { DEFAULT_MAX_QUEUED_BYTES, EmbeddedBroker } from '../../core/broker/index.js';
import { intOption, parse } from '../args.js';
import { untilStopped } from '../signals.js';

export const brokerHelp = `mqtt-mcp broker [--host 127.0.0.1] [--port 1883] [--max-queued-bytes N]
  Runs the embedded MQTT 5 broker until stopped (Ctrl+C). Loopback only unless --host says otherwise.
  --max-queued-bytes N  outbound bytes held per client (default ${DEFAULT_MAX_QUEUED_BYTES}, 16 MiB); past it QoS 0
                        messages to that client are dropped and QoS 1 disconnects it with 0x97 Quota exceeded`;

export async function broker(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string', short: 'p' },
    'max-queued-bytes': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const port = intOption(values, 'port', 1883, 0, 65535);
  const maxQueuedBytes = intOption(values, 'max-queued-bytes', DEFAULT_MAX_QUEUED_BYTES, 1024);
  const embedded = new EmbeddedBroker({ host: (values.host as string | undefined) ?? '127.0.0.1', port, maxQueuedBytes });
  const { url } = await embedded.start();
  process.stdout.write(`embedded MQTT 5 broker listening on ${url}\n`);
  await untilStopped();
  await embedded.stop();
  return 0;
}
