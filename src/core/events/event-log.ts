// The bounded, in-order record of everything that crossed the wire or changed state. One log per process
// (extension host or CLI); the timeline webview replays it. Old events are evicted, and the count of evicted
// events is kept so the view can say so: truncation is never silent.
import type { UserProperties } from '../protocol/properties.js';

export type EventKind =
  | 'connection' // broker connect, disconnect, reconnect, failure
  | 'presence' // server online/offline
  | 'request'
  | 'response'
  | 'notification'
  | 'session' // initialize / de-initialize of a client session
  | 'error' // protocol errors: malformed payloads, oversized messages, invalid presence
  | 'check'; // conformance-check results

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

export type NewEvent = Omit<TimelineEvent, 'seq' | 'time'> & { time?: number };
export type EventSink = (event: NewEvent) => void;

export const DEFAULT_EVENT_CAPACITY = 10_000;
/** Payloads bigger than this are kept as a truncated preview, so 100,000 events stay within memory bounds. */
export const MAX_STORED_PAYLOAD_BYTES = 16 * 1024;

export class EventLog {
  private ring: (TimelineEvent | undefined)[];
  private head = 0; // index of the oldest event
  private count = 0;
  private nextSeq = 1;
  private evictedCount = 0;
  private readonly listeners = new Set<(e: TimelineEvent) => void>();

  constructor(private cap: number = DEFAULT_EVENT_CAPACITY) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError('event log capacity must be a positive integer');
    this.ring = new Array(cap);
  }

  get capacity(): number {
    return this.cap;
  }
  get size(): number {
    return this.count;
  }
  /** Events dropped from the front because the log was full, since the last clear. */
  get evicted(): number {
    return this.evictedCount;
  }

  readonly sink: EventSink = (e) => {
    this.push(e);
  };

  push(e: NewEvent): TimelineEvent {
    const event: TimelineEvent = { ...e, seq: this.nextSeq++, time: e.time ?? Date.now() };
    if (this.count < this.cap) {
      this.ring[(this.head + this.count) % this.cap] = event;
      this.count++;
    } else {
      this.ring[this.head] = event;
      this.head = (this.head + 1) % this.cap;
      this.evictedCount++;
    }
    for (const l of this.listeners) l(event);
    return event;
  }

  onEvent(listener: (e: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): TimelineEvent[] {
    const out: TimelineEvent[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(this.head + i) % this.cap] as TimelineEvent;
    return out;
  }

  clear(): void {
    this.ring = new Array(this.cap);
    this.head = 0;
    this.count = 0;
    this.evictedCount = 0;
  }

  /** Changes the capacity, keeping the newest events. */
  resize(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('event log capacity must be a positive integer');
    const events = this.snapshot();
    const kept = events.slice(Math.max(0, events.length - capacity));
    this.evictedCount += events.length - kept.length;
    this.cap = capacity;
    this.ring = new Array(capacity);
    kept.forEach((e, i) => (this.ring[i] = e));
    this.head = 0;
    this.count = kept.length;
  }
}

/** Keeps a payload for the log: small ones as they are, big ones as a marked preview. */
export function storablePayload(payload: unknown, byteSize: number): unknown {
  if (byteSize <= MAX_STORED_PAYLOAD_BYTES) return payload;
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return { truncated: true, originalBytes: byteSize, preview: text.slice(0, MAX_STORED_PAYLOAD_BYTES) };
}

export function toJsonl(events: readonly TimelineEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}

export interface JsonlImport {
  events: TimelineEvent[];
  /** Lines that were not events, with their 1-based line numbers: reported, never fatal. */
  rejected: { line: number; reason: string }[];
}

export function fromJsonl(text: string): JsonlImport {
  const events: TimelineEvent[] = [];
  const rejected: JsonlImport['rejected'] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      rejected.push({ line: i + 1, reason: `not JSON: ${(e as Error).message}` });
      return;
    }
    const reason = eventShapeProblem(parsed);
    if (reason) rejected.push({ line: i + 1, reason });
    else events.push(parsed as TimelineEvent);
  });
  return { events, rejected };
}

const KINDS = new Set<EventKind>(['connection', 'presence', 'request', 'response', 'notification', 'session', 'error', 'check']);

function eventShapeProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const e = v as Record<string, unknown>;
  if (typeof e.seq !== 'number') return 'missing numeric "seq"';
  if (typeof e.time !== 'number') return 'missing numeric "time"';
  if (typeof e.kind !== 'string' || !KINDS.has(e.kind as EventKind)) return `unknown "kind" ${JSON.stringify(e.kind)}`;
  if (typeof e.summary !== 'string') return 'missing string "summary"';
  return undefined;
}
