// Reliability figures: each test writes what it measured to test-results/reliability/<name>.json (and one
// line on stdout), from which RELIABILITY.md's table is filled.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '../../test-results/reliability');

export function recordFigures(name: string, figures: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(figures, null, 2) + '\n');
  console.log(`figures ${name}: ${JSON.stringify(figures)}`);
}

/** Deterministic PRNG (mulberry32) so a fuzz run can be repeated case for case. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
