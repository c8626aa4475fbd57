// The settings the extension reads and their defaults (src/extension/settings-defaults.ts) are exactly the
// ones package.json contributes, so a default cannot drift between the two.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_DEFAULTS, SETTINGS_SECTION, settingOrDefault, STRUCTURED_SETTINGS } from '../../src/extension/settings-defaults.js';

interface Contributed {
  type: string;
  default: unknown;
}

function contributedSettings(): Map<string, Contributed> {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { configuration: unknown } };
  const sections = [pkg.contributes.configuration].flat() as { properties: Record<string, Contributed> }[];
  return new Map(sections.flatMap((s) => Object.entries(s.properties)));
}

describe('settings', () => {
  const contributed = contributedSettings();

  it('reads every contributed setting, and only those', () => {
    const read = [...Object.keys(SETTING_DEFAULTS), ...STRUCTURED_SETTINGS].map((k) => `${SETTINGS_SECTION}.${k}`).sort();
    assert.deepEqual(read, [...contributed.keys()].sort());
  });

  it('has the defaults and types package.json declares', () => {
    for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
      const declared = contributed.get(`${SETTINGS_SECTION}.${key}`);
      assert.ok(declared, key);
      assert.deepEqual(value, declared.default, `default of ${key}`);
      const type = declared.type === 'integer' ? 'number' : declared.type;
      assert.equal(typeof value, type, `type of ${key}`);
      if (declared.type === 'integer') assert.ok(Number.isInteger(value), `${key} is an integer`);
    }
  });

  it('falls back to the default for a hand-edited value of the wrong type', () => {
    assert.equal(settingOrDefault('timeouts.callMs', '5000'), 60_000);
    assert.equal(settingOrDefault('timeouts.callMs', -1), 60_000);
    assert.equal(settingOrDefault('timeouts.callMs', 5000), 5000);
    assert.equal(settingOrDefault('agent.exposeByDefault', false), false);
    assert.equal(settingOrDefault('agent.exposeByDefault', 'no'), true);
    assert.equal(settingOrDefault('demo.port', undefined), 0);
  });
});
