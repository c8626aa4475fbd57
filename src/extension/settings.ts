// Typed access to the extension's settings: `setting('timeouts.callMs')` is a number, with the default from
// settings-defaults.ts (which a unit test keeps equal to package.json).
import * as vscode from 'vscode';
import { SETTINGS_SECTION, settingOrDefault, type SettingKey, type SettingValue, type STRUCTURED_SETTINGS } from './settings-defaults.js';

export { SETTINGS_SECTION, type SettingKey };

export function setting<K extends SettingKey>(key: K): SettingValue<K> {
  return settingOrDefault(key, vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key));
}

/** Whether a configuration change touches a setting (or a group of them, like 'agent'). */
export function affects(e: vscode.ConfigurationChangeEvent, key: SettingKey | (typeof STRUCTURED_SETTINGS)[number] | 'agent'): boolean {
  return e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`);
}
