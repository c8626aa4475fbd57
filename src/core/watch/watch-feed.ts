// What a view of a watched resource needs from the core watch: rows (one per reading, numeric fields by
// name, null for a gap) as a snapshot and as a stream delivered in batches, and a one-line summary of the
// latest value for a tree row. Pure: timers are injected so tests drive them.
import type { ResourceWatch, WatchSample } from './resource-watch.js';

export interface WatchRow {
  t: number;
  values: Record<string, number | null>;
  /** Why this read failed (the row is a gap). */
  error?: string;
}

/** Every kept point of every series, one row per timestamp, oldest first. */
export function watchRows(watch: Pick<ResourceWatch, 'series'>): WatchRow[] {
  const rows = new Map<number, WatchRow>();
  for (const [name, series] of watch.series) {
    for (const p of series.points()) {
      let row = rows.get(p.t);
      if (!row) rows.set(p.t, (row = { t: p.t, values: {} }));
      row.values[name] = Number.isNaN(p.v) ? null : p.v;
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** The row one sample adds: its numbers (those the watch keeps a series for), or a gap in every series. */
export function sampleRow(watch: Pick<ResourceWatch, 'series'>, sample: WatchSample): WatchRow {
  const values: Record<string, number | null> = {};
  if (sample.error || !sample.fields) {
    for (const name of watch.series.keys()) values[name] = null;
    return { t: sample.t, values, ...(sample.error ? { error: sample.error } : {}) };
  }
  for (const [name, v] of sample.fields.numbers) if (watch.series.has(name)) values[name] = v;
  return { t: sample.t, values };
}

/** A gap in every series at `t` (the watch ended). */
export function gapRow(watch: Pick<ResourceWatch, 'series'>, t: number): WatchRow {
  return { t, values: Object.fromEntries([...watch.series.keys()].map((name) => [name, null])) };
}

export type Schedule = (run: () => void, ms: number) => () => void;

const realSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

/**
 * Rows waiting to be posted: however fast samples come, `flush` runs at most once per `intervalMs` with
 * everything since the last one, and never holds more than `capacity` rows (older ones would fall out of
 * the view's ring anyway).
 */
export class RowBatcher {
  private pending: WatchRow[] = [];
  private cancel: (() => void) | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly flush: (rows: WatchRow[]) => void,
    private readonly options: { intervalMs: number; capacity: number; schedule?: Schedule; now?: () => number },
  ) {}

  get size(): number {
    return this.pending.length;
  }

  push(row: WatchRow): void {
    this.pending.push(row);
    if (this.pending.length > this.options.capacity) this.pending.splice(0, this.pending.length - this.options.capacity);
    if (this.cancel) return;
    const now = (this.options.now ?? Date.now)();
    const wait = Math.max(0, this.lastFlush + this.options.intervalMs - now);
    this.cancel = (this.options.schedule ?? realSchedule)(() => {
      this.cancel = undefined;
      this.flushNow();
    }, wait);
  }

  /** Posts what is pending now (e.g. before a status change, so rows and status arrive in order). */
  flushNow(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.pending.length) return;
    const rows = this.pending;
    this.pending = [];
    this.lastFlush = (this.options.now ?? Date.now)();
    this.flush(rows);
  }

  /** Drops what is pending (the view will get a whole snapshot instead). */
  clear(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.pending = [];
  }
}

const MAX_SUMMARY = 40;

/**
 * The latest value in a few plain words for a tree row: a `value` field with its `unit`, else the first
 * fields as name=value. Device text: control characters go, and it is cut short.
 */
export function summarizeLatest(watch: Pick<ResourceWatch, 'latest'>): string {
  const latest = watch.latest;
  if (!latest) return 'waiting for the first value';
  if (latest.error || !latest.fields) return 'read failed';
  const { numbers, texts } = latest.fields;
  let text: string;
  const value = numbers.get('value') ?? texts.get('value');
  if (value !== undefined) {
    const unit = texts.get('unit');
    text = unit ? `${value} ${unit}` : String(value);
  } else {
    text = [...numbers, ...texts].slice(0, 3).map(([k, v]) => `${k}=${v}`).join(', ') || 'no value';
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
