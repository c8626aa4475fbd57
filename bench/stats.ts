// Shared by every benchmark group: summaries (median, p99), interleaved sampling so that variants compared
// with each other see the same machine noise, heap measurement and a description of the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export function median(samples: readonly number[]): number {
  return summarize(samples).median;
}

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundSummary(s: Summary, digits = 3): Summary {
  return { n: s.n, median: round(s.median, digits), p99: round(s.p99, digits), mean: round(s.mean, digits), min: round(s.min, digits), max: round(s.max, digits) };
}

export interface Variant {
  name: string;
  /** One operation; its duration is one sample. */
  once(): Promise<void>;
  /** Operations per turn, when not the common batch (a Nagle-bound variant takes fewer, leaving time to the rest). */
  batch?: number;
}

export interface InterleaveOptions {
  /** Operations per variant per turn. */
  batch: number;
  /** A turn also ends after this long, so a slow variant (Nagle) cannot eat the budget. */
  sliceMs: number;
  /** The whole comparison stops after this long (checked between turns). */
  budgetMs: number;
  /** Stop early once every variant has this many samples. */
  maxSamples: number;
  /** Unrecorded operations per variant first (JIT, connection warm-up). */
  warmup: number;
}

/**
 * Runs the variants in turns, rotating which goes first, until the budget or sample count is reached. Every
 * variant thus sees the same background load over time, which makes their ratios meaningful on a noisy host.
 */
export async function interleave(variants: readonly Variant[], options: InterleaveOptions): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (const v of variants) {
    samples[v.name] = [];
    for (let i = 0; i < options.warmup; i++) await v.once();
  }
  const deadline = performance.now() + options.budgetMs;
  for (let turn = 0; performance.now() < deadline; turn++) {
    if (variants.every((v) => (samples[v.name] as number[]).length >= options.maxSamples)) break;
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(turn + k) % variants.length] as Variant;
      const out = samples[v.name] as number[];
      const sliceEnd = performance.now() + options.sliceMs;
      for (let i = 0; i < (v.batch ?? options.batch) && out.length < options.maxSamples && performance.now() < sliceEnd; i++) {
        const t0 = performance.now();
        await v.once();
        out.push(performance.now() - t0);
      }
    }
  }
  return samples;
}

/** Heap in use after a full collection (needs --expose-gc; without it the number includes garbage). */
export async function settledHeapUsed(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Heap plus ArrayBuffer memory (Buffers, typed arrays) after a full collection: what a store of bytes really holds. */
export async function settledMemoryUsed(): Promise<number> {
  await settledHeapUsed();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface MachineInfo {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  mosquitto: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: keep 'unknown'
  }
  let help: string;
  try {
    // `mosquitto -h` prints its version and exits non-zero, so read the output from the error too.
    help = execFileSync('/usr/sbin/mosquitto', ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    help = String((e as { stdout?: string }).stdout ?? '');
  }
  const mosquitto = /mosquitto version (\S+)/.exec(help)?.[1] ?? 'not installed';
  return {
    nproc: availableParallelism(),
    cpu,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    mosquitto,
    platform: `${process.platform} ${process.arch}`,
  };
}
