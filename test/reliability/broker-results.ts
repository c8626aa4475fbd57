// Figures of the broker reliability tests, merged into one JSON file that RELIABILITY.md's "Embedded broker"
// section quotes. Each test owns one key, so tests can run alone or in any order.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const RESULTS_FILE = join(__dirname, 'results', 'broker.json');

export function recordFigures(key: string, figures: Record<string, unknown>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // First run, or an unreadable file that is about to be rewritten anyway.
  }
  all[key] = { ...figures, measuredAt: new Date().toISOString(), node: process.version };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}

/** A raw MQTT 5 client that only splits frames, so thousands of deliveries cost the test process next to nothing. */
export { FrameReader } from '../../src/core/broker/frame-reader.js';
