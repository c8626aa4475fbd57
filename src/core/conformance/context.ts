// State one conformance run shares between its check groups: the results so far, the probes to close, and
// what earlier groups learned about the device (its instance, its session, its capabilities).
import { checkDefinition } from './catalogue.js';
import type { Answer, ClientProbe, Observation, SentRequest } from './probe.js';
import { DEFAULT_TIMEOUTS, type CheckDefinition, type CheckResult, type ConformanceOptions, type ConformanceTimeouts, type Verdict } from './types.js';

export interface SessionUnderTest {
  probe: ClientProbe;
  serverId: string;
  controlTopic: string;
  capabilityTopic: string;
  /** Where requests go: the spec's RPC topic, or the legacy one when the device answered there. */
  rpcTopic: string;
  /** The spec's RPC topic for this client and instance, whatever the device uses. */
  specRpcTopic: string;
  legacy: boolean;
  initialize: Answer;
  capabilities: Record<string, unknown>;
  /** Requests sent the moment the initialize response arrived (spec §5.3: the server is subscribed by then). */
  followUps: SentRequest[];
  /**
   * A method the server has been seen to answer (ping, else tools/list, else another advertised list): what
   * every behavioural probe sends, so a server without ping is not mistaken for one that stopped listening.
   * Undefined until the operation checks ran, and when the server answered none of them.
   */
  probeMethod: string | undefined;
}

export class CheckContext {
  readonly timeouts: ConformanceTimeouts;
  readonly results = new Map<string, CheckResult>();
  /** Every server-id seen with an online presence for the name, with the message that announced it. */
  readonly instances = new Map<string, Observation>();
  /** Probes whose traffic counts as the tested device's publishes; all are closed when the run ends. */
  readonly probes: ClientProbe[] = [];
  /** The presence message of the instance under test, if one was seen. */
  presence: Observation | undefined;

  constructor(readonly options: ConformanceOptions) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  get serverName(): string {
    return this.options.serverName;
  }

  record(id: string, verdict: Verdict, expected: string, observed: string, data?: Record<string, unknown>): void {
    // An aborted run's stragglers see closed connections; what they would conclude is not a finding.
    if (this.options.signal?.aborted) return;
    const definition = checkDefinition(id);
    const result: CheckResult = { ...definition, verdict, expected, observed, basis: verdictBasis(definition, verdict), ...(data ? { data } : {}) };
    this.results.set(id, result);
    this.options.events?.({
      kind: 'check',
      level: verdict === 'fail' ? 'error' : verdict === 'warn' ? 'warn' : 'info',
      summary: `${verdict.toUpperCase()} ${id}: ${observed}`,
      serverName: this.serverName,
      source: 'checker',
    });
    this.options.onProgress?.(result);
  }

  skip(id: string, reason: string): void {
    this.record(id, 'skip', 'not checked', reason);
  }

  adopt(probe: ClientProbe): ClientProbe {
    this.probes.push(probe);
    return probe;
  }
}

/** The verdict policy in words, so a report always says whether a MUST or a SHOULD is at stake. */
export function verdictBasis(definition: CheckDefinition, verdict: Verdict): string {
  const spec = `spec ${definition.section}`;
  if (verdict === 'skip') return '';
  if (definition.requirement === 'advice') return 'advice, not a spec rule';
  if (verdict === 'fail') return `broken ${definition.requirement} (${spec})`;
  if (verdict === 'warn' && definition.requirement === 'MUST') return `MUST (${spec}), but a deviation so common that clients must tolerate it: warning`;
  return `${definition.requirement} (${spec})`;
}

/** A short, single-line preview of a payload or value for "observed" texts. */
export function preview(value: unknown, max = 160): string {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : JSON.stringify(value);
  const oneLine = (text ?? String(value)).replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

export function seconds(value: number): string {
  return `${+(value / 1000).toFixed(1)} s`;
}

/** "error -32601 (Method not found)" or "result {...}" for observed texts. */
export function describeAnswer(message: Record<string, unknown>): string {
  if ('error' in message) {
    const error = message.error as { code?: unknown; message?: unknown } | null;
    return `error ${String(error?.code)}${typeof error?.message === 'string' ? ` (${preview(error.message, 80)})` : ''}`;
  }
  return `result ${preview(message.result)}`;
}
