// The Devices tree: brokers → server-name folders → servers → tools/resources/templates/prompts.
// Discovery changes arrive batched from the registry; here they are coalesced again per refresh window and
// turned into the narrowest refresh (one server row) unless the set of names changed.
import * as vscode from 'vscode';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import { BrokerNode, type ItemNode, type NodeContext, ServerNode, TreeNode } from './nodes.js';

const REFRESH_WINDOW_MS = 100;

export class DevicesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly cache = new Map<string, TreeNode>();
  private readonly renderedNames = new Map<string, string>();
  private pending = new Set<TreeNode>();
  private pendingAll = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly brokers: BrokerManager,
    private readonly isExposed: (broker: BrokerEntry, serverName: string) => boolean,
    private readonly decorateItem?: NodeContext['decorateItem'],
  ) {
    this.disposables = [
      brokers.onDidChangeBroker((entry) => (entry ? this.schedule(this.brokerNode(entry)) : this.scheduleAll())),
      brokers.onDidChangeServers(({ broker, names }) => this.serversChanged(broker, names)),
      brokers.onDidInvalidateCatalog(({ broker, serverName }) => {
        const node = this.cache.get(`server:${broker.id}:${serverName}`);
        if (node) this.schedule(node);
      }),
    ];
  }

  private readonly ctx = {
    node: <T extends TreeNode>(id: string, create: () => T): T => {
      let node = this.cache.get(id) as T | undefined;
      if (!node) this.cache.set(id, (node = create()));
      return node;
    },
    isExposed: (broker: BrokerEntry, serverName: string) => this.isExposed(broker, serverName),
    decorateItem: (node: ItemNode, item: vscode.TreeItem) => this.decorateItem?.(node, item),
  };

  private brokerNode(entry: BrokerEntry): BrokerNode {
    const node = this.ctx.node(`broker:${entry.id}`, () => new BrokerNode(entry, this.ctx));
    node.broker = entry;
    return node;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (!node) {
      return this.brokers.list().map((b) => {
        const n = this.brokerNode(b);
        this.renderedNames.set(b.id, namesKey(b));
        return n;
      });
    }
    if (node instanceof BrokerNode) this.renderedNames.set(node.broker.id, namesKey(node.broker));
    return node.getChildren();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  private serversChanged(broker: BrokerEntry, names: string[]): void {
    if (this.renderedNames.get(broker.id) !== namesKey(broker)) {
      // New or vanished names change the folder structure: refresh the broker's subtree once.
      this.schedule(this.brokerNode(broker));
      return;
    }
    for (const name of names) {
      const node = this.cache.get(`server:${broker.id}:${name}`);
      if (node) this.schedule(node);
    }
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
      for (const s of b.client?.registry.servers() ?? []) b.catalogs?.invalidate(s.name);
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
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

// What decides the folder structure: the connection state and which names exist (not their online state).
function namesKey(broker: BrokerEntry): string {
  return `${broker.state}:${broker.client ? broker.client.registry.namesVersion : -1}`;
}
