// Every `mqttMcp.*` setting the extension reads, with its default: the one place they are written down.
// Pure (no vscode import) so a unit test can hold it against package.json's contributions.
export const SETTINGS_SECTION = 'mqttMcp';

export const SETTING_DEFAULTS = {
  'timeline.maxEvents': 10_000,
  maxPayloadBytes: 16 * 1024 * 1024,
  'timeouts.pingMs': 10_000,
  'timeouts.listMs': 30_000,
  'timeouts.callMs': 60_000,
  'catalog.listTimeoutMs': 3000,
  'agent.exposeByDefault': true,
  'agent.mode': 'auto',
  'agent.fleetThreshold': 20,
  'agent.maxCallMany': 100,
  legacyTopics: true,
  'demo.port': 0,
  'localBroker.rbacPolicy': '',
  'watch.pollIntervalMs': 1000,
  'watch.maxSamples': 1000,
  // What devices may ask of the editor's sessions: "ask" (a consent prompt each time) or "deny" (never ask,
  // always refuse). There is deliberately no auto-approve: every request a device makes waits for the user.
  'deviceRequests.elicitation': 'ask',
  'deviceRequests.sampling': 'ask',
  'deviceRequests.roots': 'ask',
} as const;

/** Settings with structure of their own, read by their modules (brokers/config.ts validates each entry). */
export const STRUCTURED_SETTINGS = ['brokers'] as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;
type Widen<T> = T extends number ? number : T extends boolean ? boolean : T extends string ? string : T;
export type SettingValue<K extends SettingKey> = Widen<(typeof SETTING_DEFAULTS)[K]>;

/** A hand-edited value of the wrong type falls back to the default instead of reaching the core. */
export function settingOrDefault<K extends SettingKey>(key: K, value: unknown): SettingValue<K> {
  const fallback = SETTING_DEFAULTS[key];
  if (typeof value !== typeof fallback) return fallback as SettingValue<K>;
  if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) return fallback as SettingValue<K>;
  return value as SettingValue<K>;
}
