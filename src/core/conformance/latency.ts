// Latency probe: sequential pings, median round trip. Nagle's algorithm holding a small packet until the
// peer's delayed ACK (40 ms on Linux) shows up as round trips stuck near 40 ms, or 80 ms when both the
// device's and the broker's sockets do it.
import { type CheckContext, type SessionUnderTest, ms } from './context.js';

export const DEFAULT_LATENCY_SAMPLES = 20;
/** Round-trip bands that point at Nagle's algorithm rather than a slow network or device. */
const NAGLE_BANDS: ReadonlyArray<[number, number]> = [
  [34, 48],
  [72, 92],
];

export async function checkLatency(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const ping = ctx.results.get('operation.ping');
  if (ping && !ping.data?.answered) return ctx.skip('latency.ping-rtt', 'ping is not answered (operation.ping)');
  const samples = ctx.options.latencySamples ?? DEFAULT_LATENCY_SAMPLES;
  const rtts: number[] = [];
  let unanswered = 0;
  for (let i = 0; i < samples; i++) {
    const { answer } = await session.probe.call(session.rpcTopic, session.serverId, 'ping', undefined, ctx.timeouts.pingMs);
    if (answer) rtts.push(answer.elapsedMs);
    else if (++unanswered >= 3) break; // the device stopped answering; operation.ping reports that
  }
  if (rtts.length === 0) return ctx.skip('latency.ping-rtt', 'no ping was answered');
  const sorted = [...rtts].sort((a, b) => a - b);
  const median = medianOf(sorted);
  const data = { medianMs: median, minMs: sorted[0], maxMs: sorted[sorted.length - 1], samples: rtts, unanswered };
  const spread = `median ${ms(median)} over ${rtts.length} pings (min ${ms(sorted[0] as number)}, max ${ms(sorted[sorted.length - 1] as number)})`;
  const expected = 'a median round trip well away from 40 and 80 ms';
  if (NAGLE_BANDS.some(([lo, hi]) => median >= lo && median <= hi))
    ctx.record('latency.ping-rtt', 'warn', expected,
      `${spread}: the signature of Nagle's algorithm. Turn it off: TCP_NODELAY on the device's socket, and "set_tcp_nodelay true" in Mosquitto (other brokers have a similar option)`, data);
  else ctx.record('latency.ping-rtt', 'pass', expected, spread, data);
}

function medianOf(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
