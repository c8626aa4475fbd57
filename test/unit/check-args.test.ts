// `mqtt-mcp check`'s options with optional values (--listen [PORT], --crash-test[=manual|takeover]).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeOptionalValues } from '../../src/cli/commands/check.js';

describe('check option normalization', () => {
  it('gives --listen its port, or 1883 when none follows', () => {
    assert.deepEqual(normalizeOptionalValues(['--listen', '1884', '--json']), ['--listen=1884', '--json']);
    assert.deepEqual(normalizeOptionalValues(['--listen', '--server', 'a/b']), ['--listen=1883', '--server', 'a/b']);
    assert.deepEqual(normalizeOptionalValues(['--listen']), ['--listen=1883']);
    assert.deepEqual(normalizeOptionalValues(['--listen=0']), ['--listen=0']);
  });

  it('gives --crash-test its mode, manual when none follows, and leaves other words alone', () => {
    assert.deepEqual(normalizeOptionalValues(['--crash-test']), ['--crash-test=manual']);
    assert.deepEqual(normalizeOptionalValues(['--crash-test', 'takeover']), ['--crash-test=takeover']);
    assert.deepEqual(normalizeOptionalValues(['--crash-test=takeover', '--json']), ['--crash-test=takeover', '--json']);
    assert.deepEqual(normalizeOptionalValues(['--crash-test', 'a/b']), ['--crash-test=manual', 'a/b']);
  });
});
