// The bounded, in-order record of everything that crossed the wire or changed state. One log per process
// (extension host or CLI); the timeline webview replays it. Old events are evicted, and the count of evicted
// events is kept so the view can say so: truncation is never silent. Events are stored compactly
// (compact-ring.ts) and rebuilt as objects when read.
import { CompactRing } from './compact-ring.js';

export type { EventKind, EventSource, TimelineEvent } from './event-types.js';
import type { EventKind, TimelineEvent } from './event-types.js';

export type NewEvent = Omit<TimelineEvent, 'seq' | 'time'> & { time?: number };
export type EventSink = (event: NewEvent) => void;

export const DEFAULT_EVENT_CAPACITY = 10_000;
/** Payloads bigger than this are kept as a truncated preview, so 100,000 events stay within memory bounds. */
export const MAX_STORED_PAYLOAD_BYTES = 16 * 1024;

export class EventLog {
  private ring: CompactRing;
  private nextSeq = 1;
  private evictedCount = 0;
  private readonly listeners = new Set<(e: TimelineEvent) => void>();

  constructor(capacity: number = DEFAULT_EVENT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('event log capacity must be a positive integer');
    this.ring = new CompactRing(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }
  get size(): number {
    return this.ring.size;
  }
  /** Events dropped from the front because the log was full, since the last clear. */
  get evicted(): number {
    return this.evictedCount;
  }

  readonly sink: EventSink = (e) => {
    this.push(e);
  };

  /** Stores the event; the object returned (and given to listeners) is not kept by the log. */
  push(e: NewEvent): TimelineEvent {
    const event: TimelineEvent = { ...e, seq: this.nextSeq++, time: e.time ?? Date.now() };
    if (this.ring.size === this.ring.capacity) this.evictedCount++;
    this.ring.append(event);
    for (const l of this.listeners) l(event);
    return event;
  }

  onEvent(listener: (e: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sequence numbers in the log are consecutive: the oldest is this one. */
  private get firstSeq(): number {
    return this.nextSeq - this.ring.size;
  }

  /** The event with this sequence number, if the log still holds it. */
  get(seq: number): TimelineEvent | undefined {
    const index = seq - this.firstSeq;
    return Number.isInteger(index) && index >= 0 && index < this.ring.size ? this.ring.at(index, seq) : undefined;
  }

  /** Every event, oldest first, built afresh (changing them does not change the log). */
  snapshot(): TimelineEvent[] {
    const first = this.firstSeq;
    const out: TimelineEvent[] = new Array(this.ring.size);
    for (let i = 0; i < out.length; i++) out[i] = this.ring.at(i, first + i);
    return out;
  }

  clear(): void {
    this.ring = new CompactRing(this.ring.capacity);
    this.evictedCount = 0;
  }

  /** Changes the capacity, keeping the newest events. */
  resize(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('event log capacity must be a positive integer');
    const events = this.snapshot();
    const kept = events.slice(Math.max(0, events.length - capacity));
    this.evictedCount += events.length - kept.length;
    this.ring = new CompactRing(capacity);
    for (const e of kept) this.ring.append(e);
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

const KINDS = new Set<EventKind>(['connection', 'presence', 'request', 'response', 'notification', 'session', 'error', 'check', 'consent']);

function eventShapeProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const e = v as Record<string, unknown>;
  if (typeof e.seq !== 'number') return 'missing numeric "seq"';
  if (typeof e.time !== 'number') return 'missing numeric "time"';
  if (typeof e.kind !== 'string' || !KINDS.has(e.kind as EventKind)) return `unknown "kind" ${JSON.stringify(e.kind)}`;
  if (typeof e.summary !== 'string') return 'missing string "summary"';
  return undefined;
}
