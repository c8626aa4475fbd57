// Timeline filters. Pure, unit-tested: with 100,000 rows the predicate runs on every filter change.
import type { TimelineRow } from '../shared/protocol.js';

export interface TimelineFilter {
  broker: string;
  server: string;
  kind: string;
  method: string;
  /** Free text, matched case-insensitively against summary, topic, method, names, source and kind. */
  text: string;
}

export const NO_FILTER: TimelineFilter = { broker: '', server: '', kind: '', method: '', text: '' };

export function isFiltering(f: TimelineFilter): boolean {
  return f.broker !== '' || f.server !== '' || f.kind !== '' || f.method !== '' || f.text.trim() !== '';
}

/** A predicate for `filter`; built once per change so the lower-cased needle is not recomputed per row. */
export function rowMatcher(filter: TimelineFilter): (row: TimelineRow) => boolean {
  const needle = filter.text.trim().toLowerCase();
  return (row) => {
    if (filter.broker && row.broker !== filter.broker) return false;
    if (filter.server && row.serverName !== filter.server) return false;
    if (filter.kind && row.kind !== filter.kind) return false;
    if (filter.method && row.method !== filter.method) return false;
    if (!needle) return true;
    for (const field of [row.summary, row.topic, row.method, row.serverName, row.broker, row.source, row.kind]) {
      if (field && field.toLowerCase().includes(needle)) return true;
    }
    return false;
  };
}

/** Index of the first row with seq >= `seq` in a seq-ordered list (binary search). */
export function firstIndexAtOrAfter(rows: readonly TimelineRow[], seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as TimelineRow).seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
