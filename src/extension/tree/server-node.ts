// A server-name row: online or offline, its instances, and (listed lazily from the device) its tools,
// resources, resource templates and prompts. What the device sent goes into labels and tooltips as plain text.
import * as vscode from 'vscode';
import type { BrokerEntry } from '../brokers/manager.js';
import type { DiscoveredServer } from '../../core/discovery/registry.js';
import type { ServerCatalog } from '../../core/client/catalog.js';
import { errorMessage } from '../../core/util/logger.js';
import { CategoryNode } from './category-node.js';
import { InstancesNode } from './instances-node.js';
import { MessageNode } from './message-node.js';
import type { FolderOwner, NodeContext, ServerRow } from './node-context.js';
import { ProblemNode } from './problem-node.js';
import { TreeNode } from './tree-node.js';

export class ServerNode extends TreeNode implements ServerRow {
  readonly id: string;
  label: string;
  constructor(
    readonly brokerNode: FolderOwner,
    readonly serverName: string,
    readonly ctx: NodeContext,
  ) {
    super();
    this.id = `server:${brokerNode.broker.id}:${serverName}`;
    this.label = serverName;
  }

  get broker(): BrokerEntry {
    return this.brokerNode.broker;
  }

  get server(): DiscoveredServer | undefined {
    return this.broker.client?.registry.get(this.serverName);
  }

  getTreeItem(): vscode.TreeItem {
    const server = this.server;
    const online = !!server?.online;
    const item = new vscode.TreeItem(this.label, online ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(online ? 'vm-active' : 'vm-outline', new vscode.ThemeColor(online ? 'testing.iconPassed' : 'disabledForeground'));
    const count = server?.instances.length ?? 0;
    const description = server?.instances[0]?.description ?? '';
    item.description = online ? `${count > 1 ? `${count} instances · ` : ''}${description}` : 'offline';
    const exposed = this.ctx.isExposed(this.broker, this.serverName);
    item.contextValue = `server.${online ? 'online' : 'offline'}.${exposed ? 'exposed' : 'hidden'}`;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**');
    tip.appendText(this.serverName);
    tip.appendMarkdown(`** — ${online ? 'online' : 'offline'}${exposed ? ', offered to the agent' : ''}\n\n`);
    if (description) tip.appendText(`${description}\n\n`);
    for (const i of server?.instances ?? []) tip.appendText(`instance ${i.serverId} (since ${new Date(i.firstSeen).toLocaleTimeString()})\n`);
    const roles = server?.instances.flatMap((i) => i.rbacRoles) ?? [];
    if (roles.length) tip.appendText(`\nRBAC roles: ${[...new Set(roles.map((r) => r.name))].join(', ')}\n`);
    item.tooltip = tip;
    return item;
  }

  override async getChildren(): Promise<TreeNode[]> {
    const server = this.server;
    const catalogs = this.broker.catalogs;
    if (!server?.online || !catalogs) return [];
    const instances =
      server.instances.length > 1
        ? [this.ctx.node(`${this.id}/instances`, () => new InstancesNode(this))]
        : [];
    let catalog: ServerCatalog;
    try {
      catalog = await catalogs.get(this.serverName);
    } catch (e) {
      return [...instances, new MessageNode(`${this.id}/error`, `Could not list: ${errorMessage(e)}`, 'error')];
    }
    const categories = (
      [
        ['tools', 'Tools', 'tools', catalog.tools],
        ['resources', 'Resources', 'file', catalog.resources],
        ['templates', 'Resource Templates', 'file-symlink-file', catalog.resourceTemplates],
        ['prompts', 'Prompts', 'comment-discussion', catalog.prompts],
      ] as const
    ).map(([kind, label, icon, items]) => {
      const node = this.ctx.node(`${this.id}/${kind}`, () => new CategoryNode(this, kind, label, icon));
      node.items = items;
      node.incomplete = catalog.problems.some((p) => p.list === (kind === 'templates' ? 'resourceTemplates' : kind));
      node.parent = this;
      return node;
    });
    const problems = catalog.problems.map((p) => {
      const node = new ProblemNode(`${this.id}/problem/${p.list}`, p);
      node.parent = this;
      return node;
    });
    return [...instances, ...problems, ...categories];
  }
}
