// Rows waiting to be posted to the timeline webview. Pure (no vscode), unit-tested.
// The host posts at most `maxPerBatch` rows per tick so a burst (or a 100,000-event replay) never turns into
// one giant message; rows that the webview would evict anyway (more pending than the log's capacity) are
// dropped here and stay counted by EventLog.evicted, which the view shows.
import type { TimelineEvent } from '../../../core/events/event-log.js';
import type { TimelineRow } from '../../../../webview/shared/protocol.js';

/** Long summaries are cut for the list; the detail pane fetches the whole event. */
export const MAX_ROW_SUMMARY = 400;

export function toRow(e: TimelineEvent): TimelineRow {
  const subject = requestSubject(e);
  const summary = subject ? `${e.summary} ${subject}` : e.summary;
  const row: TimelineRow = { seq: e.seq, time: e.time, kind: e.kind, summary: summary.length > MAX_ROW_SUMMARY ? `${summary.slice(0, MAX_ROW_SUMMARY)}…` : summary };
  if (e.level) row.level = e.level;
  if (e.broker) row.broker = e.broker;
  if (e.serverName) row.serverName = e.serverName;
  if (e.direction) row.direction = e.direction;
  if (e.topic) row.topic = e.topic;
  if (e.method) row.method = e.method;
  if (e.size !== undefined) row.size = e.size;
  if (e.latencyMs !== undefined) row.latencyMs = e.latencyMs;
  if (e.source) row.source = e.source;
  return row;
}

/** What a request is about (the tool, prompt or resource), so the list and its text filter can tell calls apart. */
function requestSubject(e: TimelineEvent): string | undefined {
  if (e.kind !== 'request' || typeof e.payload !== 'object' || e.payload === null) return undefined;
  const params = (e.payload as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const { name, uri } = params as { name?: unknown; uri?: unknown };
  const subject = typeof name === 'string' ? name : typeof uri === 'string' ? uri : undefined;
  return subject === undefined || e.summary.includes(subject) ? undefined : subject.slice(0, 120);
}

export class RowQueue {
  private rows: TimelineRow[] = [];
  private start = 0; // index of the first unsent row: shifting a long array per batch would be quadratic

  constructor(private capacity: number) {}

  get size(): number {
    return this.rows.length - this.start;
  }

  setCapacity(capacity: number): void {
    this.capacity = capacity;
    this.trim();
  }

  push(row: TimelineRow): void {
    this.rows.push(row);
    this.trim();
  }

  pushAll(rows: readonly TimelineRow[]): void {
    for (const r of rows) this.rows.push(r);
    this.trim();
  }

  /** Takes up to `max` rows, oldest first. */
  take(max: number): TimelineRow[] {
    const batch = this.rows.slice(this.start, this.start + max);
    this.start += batch.length;
    this.compact();
    return batch;
  }

  clear(): void {
    this.rows = [];
    this.start = 0;
  }

  private trim(): void {
    if (this.size > this.capacity) this.start += this.size - this.capacity;
    this.compact();
  }

  private compact(): void {
    if (this.start >= this.rows.length) {
      this.rows = [];
      this.start = 0;
    } else if (this.start > 4096 && this.start * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.start);
      this.start = 0;
    }
  }
}
