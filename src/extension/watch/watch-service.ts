// "Watch Resource" and "Unwatch Resource": one watch per broker, server and resource URI (a template is
// watched at the URI its parameters expand to), each shown in a Watch panel, with the latest value in the
// tree row's description. A watch ends on Unwatch (tree or panel), when its panel closes, when the device
// goes offline or the session or broker connection ends; an ended watch stays stopped (its panel keeps the
// data to export) and is started again from the tree or the panel's Watch Again.
import * as vscode from 'vscode';
import type { ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { ResourceWatch } from '../../core/watch/index.js';
import type { Logger } from '../../core/util/logger.js';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import { pickResource } from '../commands/pickers.js';
import { CommandFailure, type CommandHandlers } from '../commands/register.js';
import { loadCore } from '../core-loader.js';
import { setting } from '../settings.js';
import { ItemNode } from '../tree/nodes.js';
import { WatchPanel } from './watch-panel.js';

export interface WatchServiceDeps {
  extensionUri: vscode.Uri;
  brokers: BrokerManager;
  log: Logger;
  /** Refreshes a tree row by its id (the resources or templates category of a server). */
  refreshTreeRow: (id: string) => void;
}

interface WatchTarget {
  broker: BrokerEntry;
  serverName: string;
  uri: string;
  /** The template row it was expanded from, if any. */
  templateNodeId?: string;
}

interface ActiveWatch {
  target: WatchTarget;
  watch: ResourceWatch;
  panel: WatchPanel;
}

const TREE_REFRESH_MS = 500;

export class WatchService implements vscode.Disposable {
  private readonly active = new Map<string, ActiveWatch>();
  /** Panels of watches that ended, kept open with their data until closed or watched again. */
  private readonly endedPanels = new Map<string, WatchPanel>();
  /** Keys being started: a second click on the eye while the first is subscribing does nothing. */
  private readonly starting = new Set<string>();
  private readonly dirtyRows = new Set<string>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: WatchServiceDeps) {}

  commands(): CommandHandlers {
    return {
      'mqttMcp.watchResource': async (arg?: unknown) => {
        const target = await this.pickTarget(arg);
        if (target) await this.start(target);
      },
      'mqttMcp.unwatchResource': async (arg?: unknown) => {
        const watched = arg instanceof ItemNode ? this.watchesOfRow(arg) : await this.pickActive();
        await Promise.all(watched.map((w) => w.watch.stop()));
      },
    };
  }

  /** The tree row of a watched resource or template: the latest value, how it is watched, a context to unwatch. */
  decorate(node: ItemNode, item: vscode.TreeItem): void {
    const watches = this.watchesOfRow(node);
    if (!watches.length) return;
    const { summarizeLatest } = loadCore().watch;
    const first = watches[0]!;
    const how = first.watch.mode === 'subscribe' ? 'subscribed' : `polled every ${formatInterval(first.watch.pollIntervalMs)}`;
    item.description = `${watches.length > 1 ? `${watches.length} watches · ` : ''}${summarizeLatest(first.watch)} · ${how}`;
    item.iconPath = new vscode.ThemeIcon('eye', new vscode.ThemeColor('charts.blue'));
    if (item.tooltip instanceof vscode.MarkdownString) item.tooltip.appendText(`\n\nWatched (${how}): ${summarizeLatest(first.watch)}`);
    item.contextValue = `${item.contextValue}.watched`;
  }

  private watchesOfRow(node: ItemNode): ActiveWatch[] {
    const broker = node.serverNode.broker;
    const serverName = node.serverNode.serverName;
    return [...this.active.values()].filter(
      (w) => w.target.broker.id === broker.id && w.target.serverName === serverName && (node.kind === 'templates' ? w.target.templateNodeId === node.id : 'uri' in node.entry && w.target.uri === node.entry.uri),
    );
  }

  private async pickTarget(arg: unknown): Promise<WatchTarget | undefined> {
    if (arg instanceof ItemNode && arg.kind === 'templates') {
      const template = arg.entry as ResourceTemplate;
      const uri = await askTemplateUri(template);
      return uri === undefined ? undefined : { broker: arg.serverNode.broker, serverName: arg.serverNode.serverName, uri, templateNodeId: arg.id };
    }
    const picked = await pickResource(this.deps.brokers, arg);
    return picked && { broker: picked.broker, serverName: picked.serverName, uri: picked.uri };
  }

  private async pickActive(): Promise<ActiveWatch[]> {
    const all = [...this.active.values()];
    if (all.length <= 1) return all;
    const picked = await vscode.window.showQuickPick(all.map((w) => ({ label: w.target.uri, description: `${w.target.serverName} · ${w.target.broker.label}`, w })), { title: 'Unwatch which resource?' });
    return picked ? [picked.w] : [];
  }

  private async start(target: WatchTarget): Promise<void> {
    const key = watchKey(target);
    const existing = this.active.get(key);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    if (this.starting.has(key)) return;
    this.starting.add(key);
    try {
      await this.startNew(key, target);
    } finally {
      this.starting.delete(key);
    }
  }

  private async startNew(key: string, target: WatchTarget): Promise<void> {
    const client = target.broker.client;
    if (!client) throw new CommandFailure(`${target.broker.label} is not connected.`);
    const session = await client.session(target.serverName);
    let pollIntervalMs = setting('watch.pollIntervalMs');
    if (session.capabilities?.resources?.subscribe !== true) {
      const chosen = await askPollInterval(target.serverName, pollIntervalMs);
      if (chosen === undefined) return;
      pollIntervalMs = chosen;
    }
    const maxSamples = Math.max(2, Math.floor(setting('watch.maxSamples')));
    const watch = await loadCore().watch.ResourceWatch.start(session, { uri: target.uri, mode: 'auto', pollIntervalMs, maxSamples });
    this.endedPanels.get(key)?.dispose();
    const info = { brokerLabel: target.broker.label, serverName: target.serverName, uri: target.uri, mode: watch.mode, pollIntervalMs: watch.pollIntervalMs, maxSamples };
    const actions = { unwatch: () => watch.stop(), rewatch: () => this.start(target) };
    const panel: WatchPanel = new WatchPanel(this.deps, watch, info, actions, () => {
      void watch.stop();
      if (this.endedPanels.get(key) === panel) this.endedPanels.delete(key);
    });
    const entry: ActiveWatch = { target, watch, panel };
    this.active.set(key, entry);
    watch.onSample(() => this.rowChanged(target));
    watch.onEnd((end) => {
      if (this.active.get(key) === entry) this.active.delete(key);
      this.rowChanged(target);
      // Closed by the user (which is what stopped it): there is no panel left to keep or to ask about, and a
      // disposed panel throws on every property.
      if (panel.isDisposed) return;
      if (!panel.panel.visible && end.reason !== 'stopped') void vscode.window.showWarningMessage(`MQTT MCP: stopped watching ${target.uri}: ${end.message ?? 'the session ended'}.`);
      this.endedPanels.set(key, panel);
    });
    this.deps.log.info(`watching ${target.uri} on ${target.serverName} by ${watch.mode === 'subscribe' ? 'subscription' : `polling every ${watch.pollIntervalMs} ms`}`);
    this.rowChanged(target);
  }

  /** Tree rows are refreshed at most every TREE_REFRESH_MS, however fast the values come. */
  private rowChanged(target: WatchTarget): void {
    this.dirtyRows.add(`server:${target.broker.id}:${target.serverName}/${target.templateNodeId ? 'templates' : 'resources'}`);
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      for (const id of this.dirtyRows) this.deps.refreshTreeRow(id);
      this.dirtyRows.clear();
    }, TREE_REFRESH_MS);
  }

  async dispose(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const watches = [...this.active.values()];
    this.active.clear();
    await Promise.all(watches.map((w) => w.watch.stop()));
    for (const w of watches) w.panel.dispose();
    for (const p of this.endedPanels.values()) p.dispose();
    this.endedPanels.clear();
  }
}

function watchKey(t: WatchTarget): string {
  return `${t.broker.id}\u0000${t.serverName}\u0000${t.uri}`;
}

function formatInterval(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

async function askPollInterval(serverName: string, defaultMs: number): Promise<number | undefined> {
  const choices = [...new Set([defaultMs, 250, 500, 1000, 2000, 5000, 10_000, 60_000])];
  const picked = await vscode.window.showQuickPick(
    choices.map((ms) => ({ label: `Every ${formatInterval(ms)}`, description: ms === defaultMs ? 'default (mqttMcp.watch.pollIntervalMs)' : undefined, ms })),
    { title: `${serverName} does not offer resources/subscribe: poll how often?`, ignoreFocusOut: true },
  );
  return picked?.ms;
}

/** One input per template parameter; undefined when the user cancels. */
async function askTemplateUri(template: ResourceTemplate): Promise<string | undefined> {
  const { templateVariables, expandTemplate } = loadCore().watch;
  const values: Record<string, string> = {};
  for (const name of templateVariables(template.uriTemplate)) {
    const value = await vscode.window.showInputBox({ title: `${template.name}: ${name}`, prompt: template.uriTemplate, validateInput: (t) => (t ? undefined : 'required'), ignoreFocusOut: true });
    if (value === undefined) return undefined;
    values[name] = value;
  }
  return expandTemplate(template.uriTemplate, values);
}
