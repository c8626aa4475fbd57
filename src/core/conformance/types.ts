// Shapes shared by the conformance checker, its check groups and its reporters.
import type { EventSink } from '../events/event-log.js';
import type { BrokerConfig } from '../mqtt/options.js';
import type { BrokerEvent } from '../broker/observer.js';

/**
 * The verdict policy. pass: the rule holds. fail: a MUST is broken. warn: a SHOULD is not followed, or a MUST
 * is broken in a way so widespread that clients must tolerate it (spec §10.7 lists those), or advice.
 * skip: the rule could not be observed in this run; the reason says why.
 */
export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';

/** How strong the rule is: MUST and SHOULD as in the spec (or MCP / JSON-RPC), advice for measurements. */
export type Requirement = 'MUST' | 'SHOULD' | 'advice';

export type CheckGroup = 'connection' | 'presence' | 'initialize' | 'operation' | 'traffic' | 'instances' | 'teardown' | 'latency';

export interface CheckDefinition {
  id: string;
  group: CheckGroup;
  title: string;
  /** The rule in one or two sentences, as a device author would read it. */
  rule: string;
  requirement: Requirement;
  /** Where the rule comes from: "§8.7" is item 7 of §8 of the project's spec digest, other § are its sections. */
  section: string;
  /** Anchor into the published spec (or the MCP spec for MCP-level rules). */
  specUrl: string;
}

export interface CheckResult extends CheckDefinition {
  verdict: Verdict;
  expected: string;
  observed: string;
  /** Why this verdict, in words: "broken MUST (spec §8.10, §3)", "SHOULD (spec §8.9)", ... Empty for skip. */
  basis: string;
  /** Measurements a machine may want (latency samples, negotiated version, ...). */
  data?: Record<string, unknown>;
}

export interface ConformanceTimeouts {
  /** Spec "Timeouts": 30 s. */
  initializeMs: number;
  /** Spec "Timeouts": 10 s. */
  pingMs: number;
  /** Spec "Timeouts": 30 s for tools/list, resources/list, prompts/list. */
  listMs: number;
  /** Spec "Timeouts": 60 s. */
  callMs: number;
  /** How long to listen for a live presence message when none is retained. */
  presenceMs: number;
  /** How long silence must last to count as "no answer" (after de-initialize, for duplicate answers). */
  silenceMs: number;
  /** How long to wait for a capability notification after triggering one. */
  notificationMs: number;
  /** How long to wait for the will after the crash trigger (a pulled cable is noticed only after 1.5 × keepalive). */
  willMs: number;
}

export const DEFAULT_TIMEOUTS: ConformanceTimeouts = {
  initializeMs: 30_000,
  pingMs: 10_000,
  listMs: 30_000,
  callMs: 60_000,
  presenceMs: 3_000,
  silenceMs: 2_000,
  notificationMs: 3_000,
  willMs: 90_000,
};

export interface ConformanceOptions {
  broker: BrokerConfig;
  serverName: string;
  /** The instance to test; default: the first one with retained presence. */
  serverId?: string;
  /** A tool call to check against CallToolResultSchema. */
  call?: { tool: string; args?: Record<string, unknown> };
  /**
   * Only with the user's consent: makes the device drop off the network without DISCONNECT (a person pulls
   * the plug, or `takeoverCrashTest` connects with the device's client id so the broker drops it).
   */
  crashTest?: CrashTest;
  /** Packet mode: what the embedded broker observed of the device's packets (`check --listen`). */
  packets?: PacketSource;
  /** Aborting stops the run: runConformance rejects with the signal's reason and closes its connections. */
  signal?: AbortSignal;
  /** Makes the device emit a list_changed notification (tests, or devices with a way to provoke one). */
  triggerListChanged?: () => Promise<void>;
  timeouts?: Partial<ConformanceTimeouts>;
  /** Pings for the latency probe (default 20). */
  latencySamples?: number;
  events?: EventSink;
  onProgress?: (result: CheckResult) => void;
}

/** What packet mode needs of the broker's observations (PacketCapture in packets.ts records them). */
export interface PacketSource {
  /** The client that published an online message on this presence topic. */
  presencePublisher(presenceTopic: string): string | undefined;
  /** The events of one client's latest connection. */
  ofClient(clientId: string): BrokerEvent[];
}

export interface CrashTest {
  trigger(serverId: string): Promise<void>;
  /**
   * The trigger itself ends the device's MQTT session (a takeover with clean start), so whether the broker
   * would have kept it afterwards cannot be observed.
   */
  endsSession?: boolean;
  /** Called once the will has arrived or the wait is over, to release whatever the trigger holds. */
  release?(): Promise<void>;
}

export interface ConformanceReport {
  server: string;
  /** The server-id tested; undefined when no instance could be found. */
  instance: string | undefined;
  broker: string;
  startedAt: string;
  durationMs: number;
  results: CheckResult[];
  summary: Record<Verdict, number>;
}
