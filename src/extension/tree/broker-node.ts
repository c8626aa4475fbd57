// A broker row: its connection state and online count; its children are the root folder of its server-names.
import * as vscode from 'vscode';
import type { BrokerEntry } from '../brokers/manager.js';
import { describeDeviceQuery } from '../../core/discovery/search.js';
import { MessageNode } from './message-node.js';
import { PAGE_SIZE, type FolderOwner, type NodeContext } from './node-context.js';
import { TreeNode } from './tree-node.js';

const STATE_ICONS: Record<string, [string, string | undefined]> = {
  connected: ['radio-tower', 'testing.iconPassed'],
  connecting: ['loading~spin', undefined],
  reconnecting: ['loading~spin', 'list.warningForeground'],
  failed: ['error', 'list.errorForeground'],
  closed: ['debug-disconnect', undefined],
  disconnected: ['debug-disconnect', undefined],
  idle: ['debug-disconnect', undefined],
};

export class BrokerNode extends TreeNode implements FolderOwner {
  readonly id: string;
  readonly prefix = '';
  shown = PAGE_SIZE;
  constructor(
    public broker: BrokerEntry,
    private readonly ctx: NodeContext,
  ) {
    super();
    this.id = `broker:${broker.id}`;
  }

  get brokerNode(): BrokerNode {
    return this;
  }

  getTreeItem(): vscode.TreeItem {
    const b = this.broker;
    const registry = b.client?.registry;
    const item = new vscode.TreeItem(b.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    const [icon, color] = STATE_ICONS[b.state] ?? ['circle-outline', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const online = registry && b.state === 'connected' ? `${registry.onlineCount.toLocaleString('en')} online` : b.state;
    item.description = b.reason && b.state !== 'connected' ? `${b.state}: ${b.reason}` : online;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${escape(b.label)}**\n\n`);
    tip.appendText(`${b.settings.url}\nstate: ${b.state}${b.reason ? ` (${b.reason})` : ''}\n`);
    if (b.client) tip.appendText(`client id: ${b.client.clientId}\nfilters: ${b.client.serverNameFilters.join(', ')}\n`);
    if (b.scope === 'workspace') tip.appendText('defined in workspace settings\n');
    item.tooltip = tip;
    item.contextValue = b.scope === 'local' ? 'broker.local' : `broker.${b.state === 'idle' ? 'disconnected' : b.state}`;
    return item;
  }

  override getChildren(): TreeNode[] {
    const b = this.broker;
    if (!b.client || b.state === 'disconnected') {
      return [new MessageNode(`${this.id}/msg`, b.reason ? `Not connected: ${b.reason}` : 'Not connected', b.reason ? 'error' : 'info')];
    }
    if (b.client.registry.size === 0) {
      const text = b.state === 'connected' ? 'No MCP servers discovered yet' : `Broker ${b.state}${b.reason ? `: ${b.reason}` : ''}`;
      return [new MessageNode(`${this.id}/empty`, text, b.state === 'connected' ? 'search' : 'warning')];
    }
    const model = this.ctx.model(b);
    if (model?.filter && model.tree.names.length === 0) {
      return [new MessageNode(`${this.id}/nomatch`, `No device matches "${describeDeviceQuery(model.filter)}"`, 'filter')];
    }
    return this.ctx.folderChildren(this);
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
