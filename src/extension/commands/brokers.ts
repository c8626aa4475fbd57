// Add / Edit / Remove / Connect / Disconnect broker, and the local demo broker. Input is validated as the
// user types; passwords go to SecretStorage only.
import * as vscode from 'vscode';
import { brokerUrlProblem } from '../../core/mqtt/options.js';
import { randomId } from '../../core/util/ids.js';
import { errorMessage } from '../../core/util/logger.js';
import { assertValidServerNameFilter } from '../../core/protocol/topics.js';
import { type BrokerSettings, clientIdPrefixProblem, writeUserBrokers } from '../brokers/config.js';
import type { BrokerManager } from '../brokers/manager.js';
import type { BrokerSecrets } from '../brokers/secrets.js';
import { pickBroker } from './pickers.js';
import { CommandFailure, type CommandHandlers } from './register.js';

interface BrokerForm {
  url: string;
  name: string;
  username: string;
  password: string | undefined;
  clientIdPrefix: string;
  filters: string;
}

async function askBroker(initial: Partial<BrokerForm>, editing: boolean): Promise<BrokerForm | undefined> {
  const title = editing ? 'Edit Broker' : 'Add Broker';
  const url = await vscode.window.showInputBox({
    title: `${title} (1/5): URL`,
    value: initial.url ?? 'mqtt://localhost:1883',
    prompt: 'mqtt://, mqtts://, ws:// or wss:// — host and port',
    validateInput: (v) => brokerUrlProblem(v.trim()),
    ignoreFocusOut: true,
  });
  if (url === undefined) return undefined;
  const name = await vscode.window.showInputBox({ title: `${title} (2/5): Name`, value: initial.name ?? new URL(url.trim()).host, prompt: 'Shown in the tree', ignoreFocusOut: true });
  if (name === undefined) return undefined;
  const username = await vscode.window.showInputBox({ title: `${title} (3/5): User name`, value: initial.username ?? '', prompt: 'Leave empty for anonymous access', ignoreFocusOut: true });
  if (username === undefined) return undefined;
  let password: string | undefined;
  if (username) {
    password = await vscode.window.showInputBox({
      title: `${title} (4/5): Password`,
      password: true,
      prompt: editing ? 'Leave empty to keep the stored password' : 'Stored in the OS keychain, never in settings',
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
  }
  const filters = await vscode.window.showInputBox({
    title: `${title} (5/5): Server-name filters`,
    value: initial.filters ?? '#',
    prompt: 'Comma-separated MQTT filters for discovery, e.g. home/# , 3D-Printer/+/+',
    validateInput: (v) => {
      try {
        splitFilters(v).forEach(assertValidServerNameFilter);
        return splitFilters(v).length ? undefined : 'give at least one filter ("#" for everything)';
      } catch (e) {
        return errorMessage(e);
      }
    },
    ignoreFocusOut: true,
  });
  if (filters === undefined) return undefined;
  const clientIdPrefix = initial.clientIdPrefix ?? 'vscode-mqtt-mcp-';
  if (clientIdPrefixProblem(clientIdPrefix)) return undefined;
  return { url: url.trim(), name: name.trim(), username: username.trim(), password, clientIdPrefix, filters };
}

function splitFilters(v: string): string[] {
  return v.split(',').map((f) => f.trim()).filter(Boolean);
}

function toSettings(id: string, form: BrokerForm, previous?: BrokerSettings): BrokerSettings {
  const filters = splitFilters(form.filters);
  const s: BrokerSettings = { ...previous, id, url: form.url, name: form.name || undefined, autoConnect: previous?.autoConnect ?? true };
  if (form.username) s.username = form.username;
  else delete s.username;
  if (filters.length && !(filters.length === 1 && filters[0] === '#')) s.serverNameFilters = filters;
  else delete s.serverNameFilters;
  if (form.clientIdPrefix !== 'vscode-mqtt-mcp-') s.clientIdPrefix = form.clientIdPrefix;
  return s;
}

export interface BrokerCommandDeps {
  brokers: BrokerManager;
  secrets: BrokerSecrets;
  startDemo: () => Promise<unknown>;
}

export function brokerCommands({ brokers, secrets, startDemo }: BrokerCommandDeps): CommandHandlers {
  const connect = async (id: string): Promise<void> => {
    try {
      await brokers.connect(id);
    } catch (e) {
      throw new CommandFailure(`could not connect to ${brokers.get(id)?.label ?? id}: ${errorMessage(e)}`, { cause: e });
    }
  };
  return {
    'mqttMcp.addBroker': async () => {
      const form = await askBroker({}, false);
      if (!form) return;
      const id = randomId('broker-');
      await secrets.set(id, 'password', form.password);
      await writeUserBrokers((list) => [...list, toSettings(id, form)]);
      await brokers.reload();
      await connect(id);
    },
    'mqttMcp.editBroker': async (arg?: unknown) => {
      const entry = await pickBroker(brokers, arg, (b) => b.scope === 'user');
      if (!entry) return;
      const s = entry.settings;
      const form = await askBroker({ url: s.url, name: s.name, username: s.username, clientIdPrefix: s.clientIdPrefix, filters: (s.serverNameFilters ?? ['#']).join(', ') }, true);
      if (!form) return;
      if (form.password) await secrets.set(entry.id, 'password', form.password);
      if (!form.username) await secrets.set(entry.id, 'password', undefined);
      await writeUserBrokers((list) => list.map((b) => (b.id === entry.id ? toSettings(entry.id, form, b) : b)));
      await brokers.reload();
      await connect(entry.id);
    },
    'mqttMcp.removeBroker': async (arg?: unknown) => {
      const entry = await pickBroker(brokers, arg, (b) => b.scope === 'user');
      if (!entry) return;
      const answer = await vscode.window.showWarningMessage(`Remove broker "${entry.label}" and its stored password?`, { modal: true }, 'Remove');
      if (answer !== 'Remove') return;
      await brokers.disconnect(entry.id);
      await secrets.deleteAll(entry.id);
      await writeUserBrokers((list) => list.filter((b) => b.id !== entry.id));
      await brokers.reload();
    },
    'mqttMcp.connectBroker': async (arg?: unknown) => {
      const entry = await pickBroker(brokers, arg, (b) => b.state !== 'connected');
      if (entry) await connect(entry.id);
    },
    'mqttMcp.disconnectBroker': async (arg?: unknown) => {
      const entry = await pickBroker(brokers, arg, (b) => !!b.client);
      if (entry) await brokers.disconnect(entry.id);
    },
    'mqttMcp.startDemo': async () => {
      try {
        await startDemo();
      } catch (e) {
        throw new CommandFailure(`could not start the local broker: ${errorMessage(e)}`, { cause: e });
      }
    },
    'mqttMcp.stopDemo': () => brokers.removeLocal(),
  };
}
