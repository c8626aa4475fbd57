// Terminal escaping of device text (issue 14 D9), including the conformance report's text form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { terminalSafe, terminalSafeLine } from '../../src/core/util/terminal-text.js';
import { exceedsJsonDepth, tryStringify } from '../../src/core/util/json-limits.js';
import { formatReport } from '../../src/cli/commands/check.js';
import type { ConformanceReport } from '../../src/core/conformance/index.js';

describe('terminal-safe text', () => {
  it('shows ESC, BEL, CR, DEL, C1 (CSI 0x9b) and bidi controls as visible escapes, keeping newlines and tabs', () => {
    assert.equal(terminalSafe('a\x1b[2Jb\x07c\rd\x7fe\x9bf\u202eg\u2066h\n\ti'), 'a\\x1b[2Jb\\x07c\\x0dd\\x7fe\\x9bf\\u202eg\\u2066h\n\ti');
    assert.equal(terminalSafeLine('one\ntwo\tthree'), 'one\\ntwo\\tthree');
    assert.equal(terminalSafe('plain ünïcödé ✓'), 'plain ünïcödé ✓');
  });

  it('escapes device text in the check report', () => {
    const report = {
      server: 'dev\x1b]0;pwned\x07',
      instance: 'i1',
      broker: 'mqtt://x',
      results: [],
      summary: { pass: 0, warn: 0, fail: 0, skip: 0 },
      durationMs: 1,
    } as unknown as ConformanceReport;
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(terminalSafe(formatReport(report)), /[\x1b\x07]/);
  });
});

describe('JSON depth bound', () => {
  it('measures depth iteratively, on any depth', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    assert.equal(exceedsJsonDepth(deep), true);
    assert.equal(exceedsJsonDepth(JSON.parse('['.repeat(128) + ']'.repeat(128))), false);
    assert.equal(exceedsJsonDepth(JSON.parse('['.repeat(129) + ']'.repeat(129))), true);
    assert.deepEqual(tryStringify(deep), { ok: false, reason: 'nested deeper than 128 levels' });
  });
});
