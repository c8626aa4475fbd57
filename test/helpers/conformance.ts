// Reading conformance reports in tests: which checks got a verdict, one result by id, and the findings as text
// for assertion messages. The latency probe depends on the machine, so exact expectations leave it out.
import assert from 'node:assert/strict';
import type { CheckResult, ConformanceOptions, ConformanceReport, Verdict } from '../../src/core/conformance/index.js';

/** Generous limits that only bound how long a broken device makes a test wait; nothing asserts durations. */
export const CHECK_TIMEOUTS: ConformanceOptions['timeouts'] = {
  initializeMs: 10_000,
  pingMs: 5_000,
  listMs: 5_000,
  // The corpus's tools answer at once; only a device that never answers waits this long.
  callMs: 5_000,
  presenceMs: 1_500,
  silenceMs: 750,
  notificationMs: 3_000,
  willMs: 10_000,
};

const ENVIRONMENT_DEPENDENT = new Set(['latency.ping-rtt']);

export function flagged(report: ConformanceReport, verdict: Verdict): string[] {
  return report.results.filter((r) => r.verdict === verdict && !ENVIRONMENT_DEPENDENT.has(r.id)).map((r) => r.id).sort();
}

export function result(report: ConformanceReport, id: string): CheckResult {
  const r = report.results.find((x) => x.id === id);
  assert.ok(r, `no result for ${id}`);
  return r;
}

export function explain(report: ConformanceReport): string {
  return report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => `${r.verdict} ${r.id}: ${r.observed}`).join('\n');
}
