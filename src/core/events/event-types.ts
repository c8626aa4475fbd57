// The shape of one timeline event, below both the log (event-log.ts) and its compact storage (compact-ring.ts).
import type { UserProperties } from '../protocol/properties.js';

export type EventKind =
  | 'connection' // broker connect, disconnect, reconnect, failure
  | 'presence' // server online/offline
  | 'request'
  | 'response'
  | 'notification'
  | 'session' // initialize / de-initialize of a client session
  | 'error' // protocol errors: malformed payloads, oversized messages, invalid presence
  | 'check' // conformance-check results
  | 'consent'; // a device's request to the user (elicitation, sampling, roots) and what they answered

export type EventSource = 'tree' | 'palette' | 'invoker' | 'agent' | 'cli' | 'checker' | 'simulator' | 'system';

export interface TimelineEvent {
  seq: number;
  time: number;
  kind: EventKind;
  summary: string;
  level?: 'info' | 'warn' | 'error';
  broker?: string;
  serverName?: string;
  serverId?: string;
  clientId?: string;
  direction?: 'in' | 'out';
  topic?: string;
  method?: string;
  rpcId?: string | number;
  userProperties?: UserProperties;
  size?: number;
  latencyMs?: number;
  source?: EventSource;
  payload?: unknown;
}
