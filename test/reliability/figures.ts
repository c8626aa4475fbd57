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

/** The seeded generator (mulberry32) of the simulator, so a fuzz run can be repeated case for case. */
export { seededRandom } from '../../src/core/device/index.js';
