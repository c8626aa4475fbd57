// Runs every check group against one device and assembles the report. Groups run in the order a client
// meets the device (discover, initialize, operate, tear down); a group that cannot run leaves its checks to
// be reported as skipped, with the reason.
import { performance } from 'node:perf_hooks';
import { CHECKS } from './catalogue.js';
import { CheckContext } from './context.js';
import { checkInitialize, checkVersionNegotiation } from './initialize.js';
import { checkInstances } from './instances.js';
import { checkLatency } from './latency.js';
import { checkOperation } from './operation.js';
import { checkPresence } from './presence.js';
import { checkCrash, checkDeinitialize } from './teardown.js';
import { checkTraffic, provokeCapabilityNotification } from './traffic.js';
import { checkPackets } from './packets.js';
import { checkSubscriptions } from './subscriptions.js';
import type { CheckResult, ConformanceOptions, ConformanceReport, Verdict } from './types.js';

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const ctx = new CheckContext(options);
  const startedAt = new Date();
  const started = performance.now();
  let whyNotReached = 'not reached';
  let serverId: string | undefined;
  const run = async (): Promise<void> => {
    serverId = await checkPresence(ctx);
    if (serverId === undefined) {
      whyNotReached = 'no instance of the server to test';
      return;
    }
    const session = await checkInitialize(ctx, serverId);
    if (!session) {
      whyNotReached = 'initialize failed, so there is no session to test';
    } else {
      await checkOperation(ctx, session);
      await checkSubscriptions(ctx, session);
      await provokeCapabilityNotification(ctx, session);
      await checkVersionNegotiation(ctx, session);
      await checkLatency(ctx, session);
      await checkInstances(ctx, session);
      await checkDeinitialize(ctx, session);
      checkTraffic(ctx, session);
    }
    checkPackets(ctx, session, serverId);
    // Last, because the device is gone afterwards.
    await checkCrash(ctx, serverId);
  };
  const { signal } = options;
  signal?.throwIfAborted();
  let onAbort: (() => void) | undefined;
  try {
    if (!signal) await run();
    else
      await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    // Closing the probes also ends every wait, so an aborted run's checks finish (unrecorded) in the background.
    await Promise.all(ctx.probes.map((p) => p.close()));
  }
  for (const def of CHECKS) if (!ctx.results.has(def.id)) ctx.skip(def.id, whyNotReached);
  const results = CHECKS.map((def) => ctx.results.get(def.id) as CheckResult);
  return {
    server: options.serverName,
    instance: serverId,
    broker: options.broker.url,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    results,
    summary: summarize(results),
  };
}

export function summarize(results: readonly CheckResult[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) summary[r.verdict]++;
  return summary;
}
