import { DEFAULT_MAX_QUEUED_BYTES, EmbeddedBroker } from '../../core/broker/index.js';
import { rbacAuthorizer } from '../../core/rbac/enforcer.js';
import { loadPolicyFile, PolicyError } from '../../core/rbac/policy.js';
import { CommandError, intOption, parse } from '../args.js';
import { untilStopped } from '../signals.js';

export const brokerHelp = `mqtt-mcp broker [--host 127.0.0.1] [--port 1883] [--max-queued-bytes N] [--rbac policy.yaml]
  Runs the embedded MQTT 5 broker until stopped (Ctrl+C). Loopback only unless --host says otherwise.
  --max-queued-bytes N  outbound bytes held per client (default ${DEFAULT_MAX_QUEUED_BYTES}, 16 MiB); past it QoS 0
                        messages to that client are dropped and QoS 1 disconnects it with 0x97 Quota exceeded
  --rbac FILE           MCP policy (JSON or YAML, see README "RBAC"): hands out MCP-SERVER-NAME,
                        MCP-SERVER-NAME-FILTERS and MCP-RBAC in CONNACK and refuses requests a client's role
                        does not allow (a JSON-RPC error answer, PUBACK 0x87 Not authorized)`;

export async function broker(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string', short: 'p' },
    'max-queued-bytes': { type: 'string' },
    rbac: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const port = intOption(values, 'port', 1883, 0, 65535);
  const maxQueuedBytes = intOption(values, 'max-queued-bytes', DEFAULT_MAX_QUEUED_BYTES, 1024);
  const policyFile = values.rbac as string | undefined;
  let authorize;
  if (policyFile !== undefined) {
    try {
      authorize = rbacAuthorizer(await loadPolicyFile(policyFile), (message) => process.stderr.write(`mqtt-mcp broker: ${message}\n`));
    } catch (e) {
      if (e instanceof PolicyError) throw new CommandError(e.message);
      throw e;
    }
  }
  const embedded = new EmbeddedBroker({ host: (values.host as string | undefined) ?? '127.0.0.1', port, maxQueuedBytes, authorize });
  const { url } = await embedded.start();
  process.stdout.write(`embedded MQTT 5 broker listening on ${url}${policyFile ? ` with RBAC policy ${policyFile}` : ''}\n`);
  await untilStopped();
  await embedded.stop();
  return 0;
}
