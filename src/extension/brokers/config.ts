// Broker entries in the `mqttMcp.brokers` setting: reading them defensively (settings.json is hand-edited),
// validating input as the user types, and writing them back where they came from.
import * as vscode from 'vscode';
import { brokerUrlProblem } from '../../core/mqtt/options.js';
import { SETTINGS_SECTION } from '../settings.js';

export interface BrokerSettings {
  id: string;
  name?: string;
  url: string;
  username?: string;
  clientIdPrefix?: string;
  serverNameFilters?: string[];
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  autoConnect?: boolean;
}

export interface ConfiguredBroker extends BrokerSettings {
  /** Where the entry is defined: workspace entries are not auto-connected in untrusted workspaces. */
  scope: 'user' | 'workspace';
}

export function readBrokers(): { brokers: ConfiguredBroker[]; problems: string[] } {
  const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<unknown[]>('brokers');
  const problems: string[] = [];
  const seen = new Set<string>();
  const brokers: ConfiguredBroker[] = [];
  const take = (list: unknown, scope: 'user' | 'workspace'): void => {
    if (!Array.isArray(list)) return;
    list.forEach((raw, i) => {
      const entry = toBroker(raw);
      if (typeof entry === 'string') problems.push(`mqttMcp.brokers[${i}] (${scope}): ${entry}`);
      else if (seen.has(entry.id)) problems.push(`mqttMcp.brokers[${i}] (${scope}): duplicate id "${entry.id}" ignored`);
      else {
        seen.add(entry.id);
        brokers.push({ ...entry, scope });
      }
    });
  };
  take(inspected?.workspaceFolderValue, 'workspace');
  take(inspected?.workspaceValue, 'workspace');
  take(inspected?.globalValue, 'user');
  return { brokers, problems };
}

function toBroker(raw: unknown): BrokerSettings | string {
  if (typeof raw !== 'object' || raw === null) return 'not an object';
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !r.id) return 'missing "id"';
  if (typeof r.url !== 'string') return 'missing "url"';
  const problem = brokerUrlProblem(r.url);
  if (problem) return problem;
  const b: BrokerSettings = { id: r.id, url: r.url };
  if (typeof r.name === 'string') b.name = r.name;
  if (typeof r.username === 'string') b.username = r.username;
  if (typeof r.clientIdPrefix === 'string' && !/[/+#]/.test(r.clientIdPrefix)) b.clientIdPrefix = r.clientIdPrefix;
  if (Array.isArray(r.serverNameFilters)) b.serverNameFilters = r.serverNameFilters.filter((f): f is string => typeof f === 'string' && f !== '');
  if (typeof r.tls === 'object' && r.tls !== null) b.tls = r.tls as BrokerSettings['tls'];
  if (typeof r.autoConnect === 'boolean') b.autoConnect = r.autoConnect;
  return b;
}

/** Saves user-scope entries (the Add/Edit commands write there; workspace entries are left alone). */
export async function writeUserBrokers(update: (list: BrokerSettings[]) => BrokerSettings[]): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const current = (config.inspect<BrokerSettings[]>('brokers')?.globalValue ?? []).filter((b) => typeof b === 'object' && b !== null);
  await config.update('brokers', update(current), vscode.ConfigurationTarget.Global);
}

export function clientIdPrefixProblem(prefix: string): string | undefined {
  if (/[/+#]/.test(prefix)) return 'a client id must not contain "/", "+" or "#"';
  if (prefix.length > 40) return 'keep the prefix under 40 characters (a random part is added)';
  return undefined;
}

export function label(b: BrokerSettings): string {
  return b.name || b.url;
}
