// Waiting for the retained presence snapshot without ever hanging. The end of the snapshot is normally marked
// by a sync round trip (an UNSUBSCRIBE the broker answers after everything queued before it). A broker that
// overflows its per-client queue may drop that answer along with presence: stock Mosquitto 2.0 (1,000 queued
// messages) logs "Outgoing messages are being dropped" and never sends the UNSUBACK. So the wait also ends
// when presence stops arriving for a while, or at a hard limit, and then says the snapshot may be incomplete.

export interface SnapshotLimits {
  /** The snapshot is taken as ended when no presence arrived for this long and the sync is still unanswered. */
  idleMs: number;
  /** Never wait longer than this in total, however slowly presence keeps arriving. */
  maxMs: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { idleMs: 3_000, maxMs: 60_000 };

export interface SnapshotReport {
  /** True when the broker confirmed the end of the snapshot in order (nothing suggests loss). */
  complete: boolean;
  /** Presence messages that arrived since the subscription (as counted by `arrivals`). */
  received: number;
  waitedMs: number;
  /** Why the snapshot may be incomplete, in one sentence a user can act on. */
  problem?: string;
}

/** What to tell a Mosquitto user whose snapshot was cut short (README "Big fleets" says the same). */
export const QUEUE_LIMIT_HINT =
  'the broker probably dropped queued messages for this client (Mosquitto: raise max_queued_messages and max_queued_bytes, see README "Big fleets")';

/**
 * Waits for `sync()` while watching `arrivals()` (presence messages counted since the subscription). Resolves, never
 * rejects: a failed or unanswered sync is reported as an incomplete snapshot with what arrived so far.
 */
export async function awaitSnapshot(sync: () => Promise<void>, arrivals: () => number, limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS): Promise<SnapshotReport> {
  const started = Date.now();
  const received = arrivals;
  const report = (complete: boolean, problem?: string): SnapshotReport => ({ complete, received: received(), waitedMs: Date.now() - started, ...(problem ? { problem } : {}) });

  const outcome = await raceIdle(sync(), arrivals, limits, started);
  if (outcome === 'synced') return report(true);
  if (outcome instanceof Error) return report(false, `the end of the presence snapshot could not be confirmed (${outcome.message})`);
  // Unanswered. A second sync tells "the broker lost the first answer" (it overflowed: presence was lost
  // too) from "presence is still arriving slower than the idle limit" (then we stop at the hard limit).
  const second = await raceIdle(sync(), arrivals, { idleMs: Math.min(limits.idleMs, 2_000), maxMs: limits.maxMs }, started);
  const seen = `${received()} presence messages arrived`;
  if (second === 'synced') return report(false, `the broker never confirmed the end of the presence snapshot (${seen}); ${QUEUE_LIMIT_HINT}`);
  if (second === 'max') return report(false, `presence was still arriving after ${limits.maxMs} ms (${seen}); the list may be incomplete`);
  return report(false, `the broker stopped answering during the presence snapshot (${seen}); ${QUEUE_LIMIT_HINT}`);
}

/** 'synced', an Error from sync, 'idle' (nothing arrived for idleMs) or 'max' (the total limit passed). */
function raceIdle(syncing: Promise<void>, arrivals: () => number, limits: SnapshotLimits, started: number): Promise<'synced' | 'idle' | 'max' | Error> {
  return new Promise((resolve) => {
    let last = arrivals();
    let lastChange = Date.now();
    const tick = Math.max(10, Math.min(250, Math.floor(limits.idleMs / 4)));
    const timer = setInterval(() => {
      const now = Date.now();
      const count = arrivals();
      if (count !== last) {
        last = count;
        lastChange = now;
      }
      if (now - started >= limits.maxMs) finish('max');
      else if (now - lastChange >= limits.idleMs) finish('idle');
    }, tick);
    const finish = (v: 'synced' | 'idle' | 'max' | Error): void => {
      clearInterval(timer);
      resolve(v);
    };
    syncing.then(
      () => finish('synced'),
      (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
    );
  });
}
