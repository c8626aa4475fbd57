// The Devices tree: brokers → server-name folders → servers → tools/resources/templates/prompts. Each
// broker's DevicesModel (core) coalesces registry changes into at most one refresh per window naming the
// rows that changed; here those become refreshes of just those rows, for the rows VS Code has been given.
// Folders are listed lazily and paged, so a broker of 100,000 devices costs what is on screen.
import * as vscode from 'vscode';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import type { DeviceQuery } from '../../core/discovery/search.js';
import { DevicesModel, type TreeRefresh } from '../../core/views/devices-model.js';
import { BrokerNode } from './broker-node.js';
import { folderChildren, folderId, rowIndex, serverId } from './folder-listing.js';
import { FolderNode } from './folder-node.js';
import { PAGE_SIZE, type FolderOwner, type NodeContext } from './node-context.js';
import { ServerNode } from './server-node.js';
import type { ShowMoreNode } from './show-more-node.js';
import type { ItemNode } from './item-node.js';
import type { TreeNode } from './tree-node.js';

const REFRESH_WINDOW_MS = 100;

interface BrokerModel {
  client: unknown;
  model: DevicesModel;
  stop: () => void;
}

export class DevicesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly filterEmitter = new vscode.EventEmitter<void>();
  /** The filter changed, or what it matches did. */
  readonly onDidChangeFilter = this.filterEmitter.event;
  private readonly cache = new Map<string, TreeNode>();
  private readonly models = new Map<string, BrokerModel>();
  private query: DeviceQuery | undefined;
  private pending = new Set<TreeNode>();
  private pendingAll = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly brokers: BrokerManager,
    private readonly isExposed: (broker: BrokerEntry, serverName: string) => boolean,
    private readonly decorateItem?: (node: ItemNode, item: vscode.TreeItem) => void,
  ) {
    this.disposables = [
      brokers.onDidChangeBroker((entry) => (entry ? this.schedule(this.brokerNode(entry)) : this.scheduleAll())),
      brokers.onDidInvalidateCatalog(({ broker, serverName }) => {
        const node = this.cache.get(serverId(broker.id, serverName));
        if (node) this.schedule(node);
      }),
    ];
  }

  private readonly ctx: NodeContext = {
    node: <T extends TreeNode>(id: string, create: () => T): T => {
      let node = this.cache.get(id) as T | undefined;
      if (!node) this.cache.set(id, (node = create()));
      return node;
    },
    isExposed: (broker, serverName) => this.isExposed(broker, serverName),
    decorateItem: (node, item) => this.decorateItem?.(node as ItemNode, item),
    model: (broker) => this.model(broker),
    folderChildren: (owner) => folderChildren(owner, this.ctx),
  };

  private brokerNode(entry: BrokerEntry): BrokerNode {
    const node = this.ctx.node(`broker:${entry.id}`, () => new BrokerNode(entry, this.ctx));
    node.broker = entry;
    return node;
  }

  /** The broker's view model, made (or remade for a new client) on first use. */
  model(entry: BrokerEntry): DevicesModel | undefined {
    const client = entry.client;
    const current = this.models.get(entry.id);
    if (current && current.client === client) return current.model;
    current?.stop();
    current?.model.dispose();
    this.models.delete(entry.id);
    if (!client) return undefined;
    const model = new DevicesModel(client.registry);
    if (this.query) model.setFilter(this.query);
    const stop = model.onRefresh((refresh) => this.modelChanged(entry, refresh));
    this.models.set(entry.id, { client, model, stop });
    return model;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (!node) return this.brokers.list().map((b) => this.brokerNode(b));
    return node.getChildren();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  private modelChanged(entry: BrokerEntry, refresh: TreeRefresh): void {
    const nodes = new Set<TreeNode>();
    if (refresh.broker || refresh.folders.includes('')) nodes.add(this.brokerNode(entry));
    for (const prefix of refresh.folders) {
      const node = this.cache.get(folderId(entry.id, prefix));
      if (node) nodes.add(node);
    }
    for (const name of refresh.servers) {
      const node = this.cache.get(serverId(entry.id, name));
      if (node) nodes.add(node);
    }
    // Rows VS Code was never given need no refresh: it asks for them when they come into view.
    if (nodes.size) this.emitter.fire([...nodes]);
    if (this.query && refresh.folders.length) this.filterEmitter.fire();
  }

  /** Shows the next page of a folder's children. */
  showMore(row: ShowMoreNode): void {
    row.owner.shown += PAGE_SIZE;
    this.emitter.fire(row.owner);
  }

  get filter(): DeviceQuery | undefined {
    return this.query;
  }

  /** Limits every broker's tree to the names a query matches (undefined: all). */
  setFilter(query: DeviceQuery | undefined): void {
    this.query = query && (query.filter || query.text) ? query : undefined;
    for (const { model } of this.models.values()) model.setFilter(this.query);
    this.filterEmitter.fire();
  }

  /** Names shown and names known, over every broker (for the view's message while filtered). */
  counts(): { shown: number; known: number } {
    let shown = 0;
    let known = 0;
    for (const b of this.brokers.list()) {
      const model = b.client && this.model(b);
      if (!model) continue;
      shown += model.tree.names.length;
      known += model.registry.size;
    }
    return { shown, known };
  }

  /**
   * The row of a server, with its parents linked and each parent's page extended to hold it, so
   * TreeView.reveal can open the way to it; undefined when the server is not in the (filtered) tree.
   */
  serverRow(entry: BrokerEntry, serverName: string): ServerNode | undefined {
    const path = this.model(entry)?.tree.pathTo(serverName);
    if (!path) return undefined;
    const grown: FolderOwner[] = [];
    const place = (owner: FolderOwner, child: { prefix: string } | { serverName: string }): void => {
      const index = rowIndex(owner, this.ctx, child);
      if (index >= owner.shown) {
        owner.shown = Math.ceil((index + 1) / PAGE_SIZE) * PAGE_SIZE;
        grown.push(owner);
      }
    };
    let owner: FolderOwner = this.brokerNode(entry);
    for (const prefix of path.slice(1)) {
      place(owner, { prefix });
      const parent: FolderOwner = owner;
      const folder: FolderNode = this.ctx.node(folderId(entry.id, prefix), () => new FolderNode(parent.brokerNode, prefix, this.ctx));
      folder.label = this.model(entry)?.tree.listing(parent.prefix).folders.find((f) => f.prefix === prefix)?.label ?? folder.label;
      folder.parent = parent;
      owner = folder;
    }
    place(owner, { serverName });
    const parent = owner;
    const row = this.ctx.node(serverId(entry.id, serverName), () => new ServerNode(parent.brokerNode, serverName, this.ctx));
    row.parent = parent;
    if (grown.length) this.emitter.fire(grown);
    return row;
  }

  /** Refreshes one server row (e.g. after the agent exposure changed). */
  refreshServer(node: ServerNode): void {
    this.schedule(node);
  }

  /** Refreshes a row by id if it was shown (e.g. a category whose items changed their description). */
  refreshById(id: string): void {
    const node = this.cache.get(id);
    if (node) this.schedule(node);
  }

  refreshAll(): void {
    for (const b of this.brokers.list()) {
      for (const name of b.client?.registry.sortedNames() ?? []) b.catalogs?.invalidate(name);
    }
    this.scheduleAll();
  }

  private schedule(node: TreeNode): void {
    this.pending.add(node);
    this.arm();
  }

  private scheduleAll(): void {
    this.pendingAll = true;
    this.arm();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pendingAll) {
        this.pendingAll = false;
        this.pending.clear();
        this.emitter.fire(undefined);
        return;
      }
      const nodes = [...this.pending];
      this.pending = new Set();
      if (nodes.length) this.emitter.fire(nodes);
    }, REFRESH_WINDOW_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const m of this.models.values()) {
      m.stop();
      m.model.dispose();
    }
    this.models.clear();
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
    this.filterEmitter.dispose();
  }
}
