// Where a test phase's wall time went: the slowest files (or tests) of a node:test TAP report, so a phase that
// got slower says which part did. Used by scripts/test.mjs (Node test files) and test/vscode/run.mjs (UI tests).
import { existsSync, readFileSync } from 'node:fs';

/**
 * Every test point of a TAP file: its name, nesting depth (0 = a top-level test or suite of any of the files;
 * this Node reports no point per file) and duration.
 * node:test writes each point as `ok N - name` (indented 4 spaces per level) followed by a YAML block with
 * `duration_ms`.
 */
export function tapDurations(tapFile) {
  if (!existsSync(tapFile)) return [];
  const lines = readFileSync(tapFile, 'utf8').split('\n');
  const points = [];
  for (let i = 0; i < lines.length; i++) {
    const point = /^(\s*)(not )?ok \d+ - (.*?)(?: # .*)?$/.exec(lines[i]);
    if (!point) continue;
    const depth = point[1].length / 4;
    for (let j = i + 1; j < lines.length && j < i + 6; j++) {
      const duration = /^\s*duration_ms: ([\d.]+)/.exec(lines[j]);
      if (duration) {
        points.push({ name: point[3], depth, ms: Number(duration[1]), ok: !point[2] });
        break;
      }
      if (/^\s*(not )?ok \d+ - /.test(lines[j])) break;
    }
  }
  return points;
}

/** Lines like `  123.4 s  test/integration/x.test.ts` for the `count` slowest points at `depth`. */
export function slowestLines(tapFile, { depth = 0, count = 10 } = {}) {
  return tapDurations(tapFile)
    .filter((p) => p.depth === depth)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((p) => `${(p.ms / 1000).toFixed(1).padStart(7)} s  ${p.name}${p.ok ? '' : '  (FAILED)'}`);
}
