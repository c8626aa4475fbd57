// One class per kind of row in the Devices tree. Nodes are created through the provider's cache so the same
// object answers for the same id: VS Code refreshes a subtree by node identity. Everything a device sent
// (names, descriptions) goes into labels and tooltips as plain text, never as trusted markdown.
import * as vscode from 'vscode';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { BrokerEntry } from '../brokers/manager.js';
import type { DiscoveredServer } from '../../core/discovery/registry.js';
import type { ServerCatalog } from '../../core/client/catalog.js';
import { buildNameTree, findFolder, shortName, type NameFolder } from '../../core/views/name-tree.js';
// The summary alone: forms/index also brings ajv, which the tree never needs.
import { summarizeSchema } from '../../core/forms/summary.js';
import { errorMessage } from '../../core/util/logger.js';
import { ProblemNode } from './problem-node.js';
import { markNotAllowed } from './rbac-marks.js';
import { TreeNode } from './tree-node.js';

export { TreeNode };

export interface NodeContext {
  node<T extends TreeNode>(id: string, create: () => T): T;
  isExposed(broker: BrokerEntry, serverName: string): boolean;
  /** Adds what other features show on a tool/resource/template/prompt row (a watched resource's value). */
  decorateItem?(node: ItemNode, item: vscode.TreeItem): void;
}


export class MessageNode extends TreeNode {
  constructor(
    readonly id: string,
    private readonly text: string,
    private readonly icon: string,
    private readonly tooltip?: string,
  ) {
    super();
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.tooltip = this.tooltip ?? this.text;
    item.contextValue = 'message';
    return item;
  }
}

const STATE_ICONS: Record<string, [string, string | undefined]> = {
  connected: ['radio-tower', 'testing.iconPassed'],
  connecting: ['loading~spin', undefined],
  reconnecting: ['loading~spin', 'list.warningForeground'],
  failed: ['error', 'list.errorForeground'],
  closed: ['debug-disconnect', undefined],
  disconnected: ['debug-disconnect', undefined],
  idle: ['debug-disconnect', undefined],
};

export class BrokerNode extends TreeNode {
  readonly id: string;
  constructor(
    public broker: BrokerEntry,
    private readonly ctx: NodeContext,
  ) {
    super();
    this.id = `broker:${broker.id}`;
  }

  getTreeItem(): vscode.TreeItem {
    const b = this.broker;
    const registry = b.client?.registry;
    const item = new vscode.TreeItem(b.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    const [icon, color] = STATE_ICONS[b.state] ?? ['circle-outline', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const online = registry && b.state === 'connected' ? `${registry.onlineCount} online` : b.state;
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
    const servers = b.client.registry.servers();
    if (servers.length === 0) {
      const text = b.state === 'connected' ? 'No MCP servers discovered yet' : `Broker ${b.state}${b.reason ? `: ${b.reason}` : ''}`;
      return [new MessageNode(`${this.id}/empty`, text, b.state === 'connected' ? 'search' : 'warning')];
    }
    return folderChildren(this, this.nameTree(), this.ctx);
  }

  private cachedTree: { version: number; client: unknown; tree: NameFolder } | undefined;

  /** The folder structure of the broker's server-names, rebuilt only when a name comes or goes. */
  nameTree(): NameFolder {
    const registry = this.broker.client?.registry;
    if (!registry) return buildNameTree([]);
    const cached = this.cachedTree;
    if (cached && cached.client === this.broker.client && cached.version === registry.namesVersion) return cached.tree;
    const tree = buildNameTree(registry.servers().map((s) => s.name));
    this.cachedTree = { version: registry.namesVersion, client: this.broker.client, tree };
    return tree;
  }
}

function folderChildren(parent: BrokerNode | FolderNode, folder: NameFolder, ctx: NodeContext): TreeNode[] {
  const broker = parent instanceof BrokerNode ? parent : parent.brokerNode;
  const registry = broker.broker.client?.registry;
  const folders = folder.folders.map((f) => {
    const node = ctx.node(`folder:${broker.broker.id}:${f.path}`, () => new FolderNode(broker, f.path, ctx));
    node.label = f.label;
    node.parent = parent;
    return node;
  });
  const servers = folder.servers.flatMap((name) => {
    const server = registry?.get(name);
    if (!server) return [];
    const node = ctx.node(`server:${broker.broker.id}:${name}`, () => new ServerNode(broker, name, ctx));
    node.label = shortName(name, folder.path);
    node.parent = parent;
    return [node];
  });
  return [...folders, ...servers];
}

export class FolderNode extends TreeNode {
  readonly id: string;
  label: string;
  constructor(
    readonly brokerNode: BrokerNode,
    readonly path: string,
    private readonly ctx: NodeContext,
  ) {
    super();
    this.id = `folder:${brokerNode.broker.id}:${path}`;
    this.label = path;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = vscode.ThemeIcon.Folder;
    item.tooltip = this.path;
    item.contextValue = 'folder';
    return item;
  }

  override getChildren(): TreeNode[] {
    if (!this.brokerNode.broker.client) return [];
    const folder = findFolder(this.brokerNode.nameTree(), this.path);
    return folder ? folderChildren(this, folder, this.ctx) : [];
  }
}

export class ServerNode extends TreeNode {
  readonly id: string;
  label: string;
  constructor(
    readonly brokerNode: BrokerNode,
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

export class InstancesNode extends TreeNode {
  readonly id: string;
  constructor(readonly serverNode: ServerNode) {
    super();
    this.id = `${serverNode.id}/instances`;
  }
  getTreeItem(): vscode.TreeItem {
    const n = this.serverNode.server?.instances.length ?? 0;
    const item = new vscode.TreeItem('Instances', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = String(n);
    item.iconPath = new vscode.ThemeIcon('layers');
    item.contextValue = 'instances';
    return item;
  }
  override getChildren(): TreeNode[] {
    return (this.serverNode.server?.instances ?? []).map(
      (i) => new MessageNode(`${this.id}/${i.serverId}`, i.serverId, 'vm', `${i.description}\nfirst seen ${new Date(i.firstSeen).toLocaleString()}`),
    );
  }
}

type CategoryKind = 'tools' | 'resources' | 'templates' | 'prompts';

export class CategoryNode extends TreeNode {
  readonly id: string;
  items: readonly (Tool | Resource | ResourceTemplate | Prompt)[] = [];
  /** The list came back partly or not at all (a warning row under the server says why). */
  incomplete = false;
  constructor(
    readonly serverNode: ServerNode,
    readonly kind: CategoryKind,
    private readonly label: string,
    private readonly icon: string,
  ) {
    super();
    this.id = `${serverNode.id}/${kind}`;
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, this.items.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.incomplete ? `${this.items.length} · incomplete` : String(this.items.length);
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = `category.${this.kind}`;
    return item;
  }
  override getChildren(): TreeNode[] {
    return this.items.map((entry) => {
      const node = new ItemNode(this, this.kind, entry);
      node.parent = this;
      return node;
    });
  }
}

/** A tool, resource, resource template or prompt. */
export class ItemNode extends TreeNode {
  readonly id: string;
  constructor(
    readonly category: CategoryNode,
    readonly kind: CategoryKind,
    readonly entry: Tool | Resource | ResourceTemplate | Prompt,
  ) {
    super();
    this.id = `${category.id}/${'uri' in entry ? entry.uri : 'uriTemplate' in entry ? entry.uriTemplate : entry.name}`;
  }
  get serverNode(): ServerNode {
    return this.category.serverNode;
  }
  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const title = 'title' in e && typeof e.title === 'string' ? e.title : undefined;
    const item = new vscode.TreeItem(title ?? e.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = e.description?.split('\n')[0] ?? ('uri' in e ? e.uri : '');
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**');
    tip.appendText(e.name);
    tip.appendMarkdown('**\n\n');
    if (e.description) tip.appendText(`${e.description}\n\n`);
    if (this.kind === 'tools') tip.appendText(summarizeSchema((e as Tool).inputSchema) || 'no parameters');
    if ('uri' in e) tip.appendText(`${e.uri}${e.mimeType ? ` (${e.mimeType})` : ''}`);
    if ('uriTemplate' in e) tip.appendText(e.uriTemplate);
    if (this.kind === 'prompts') tip.appendText(((e as Prompt).arguments ?? []).map((a) => `${a.name}${a.required ? ' (required)' : ''}`).join(', ') || 'no arguments');
    item.tooltip = tip;
    const kinds = { tools: ['tool', 'symbol-method'], resources: ['resource', 'file'], templates: ['template', 'file-symlink-file'], prompts: ['prompt', 'comment'] } as const;
    const [context, icon] = kinds[this.kind];
    item.contextValue = context;
    item.iconPath = new vscode.ThemeIcon(icon);
    if (this.kind === 'tools') item.command = { command: 'mqttMcp.openToolInvoker', title: 'Open Tool Invoker', arguments: [this] };
    if (this.kind === 'resources') item.command = { command: 'mqttMcp.readResource', title: 'Read Resource', arguments: [this] };
    markNotAllowed(item, this.serverNode.broker.client, this.serverNode.serverName, this.kind, e);
    this.serverNode.ctx.decorateItem?.(this, item);
    return item;
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
