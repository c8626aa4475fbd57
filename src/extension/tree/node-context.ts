// What every Devices-tree row may ask of the tree: the one node object per id (VS Code refreshes a subtree
// by node identity), whether a server is offered to the agent, and the paged rows under a broker or folder.
// Types only, so row modules import it without importing each other or the provider.
import type * as vscode from 'vscode';
import type { BrokerEntry } from '../brokers/manager.js';
import type { DiscoveredServer } from '../../core/discovery/registry.js';
import type { DevicesModel } from '../../core/views/devices-model.js';
import type { TreeNode } from './tree-node.js';

/** A row whose children are server-name folders and servers: a broker (the root folder) or a folder. */
export interface FolderOwner extends TreeNode {
  readonly broker: BrokerEntry;
  /** The broker row (itself a folder owner: the root folder). */
  readonly brokerNode: FolderOwner;
  /** The folder's prefix: '' for the broker row, else its path and '/'. */
  readonly prefix: string;
  /** How many children are shown; "Show 500 more" raises it. */
  shown: number;
}

export interface NodeContext {
  node<T extends TreeNode>(id: string, create: () => T): T;
  isExposed(broker: BrokerEntry, serverName: string): boolean;
  /** Adds what other features show on a tool/resource/template/prompt row (a watched resource's value). */
  decorateItem?(node: TreeNode, item: vscode.TreeItem): void;
  /** The broker's view model while it has a client. */
  model(broker: BrokerEntry): DevicesModel | undefined;
  /** The first `shown` folders and servers under a broker or folder, then a "Show more" row when there are more. */
  folderChildren(owner: FolderOwner): TreeNode[];
}

export const PAGE_SIZE = 500;

export type CategoryKind = 'tools' | 'resources' | 'templates' | 'prompts';

/** What rows under a server need of it (the server row's shape, so they need not import its module). */
export interface ServerRow extends TreeNode {
  readonly broker: BrokerEntry;
  readonly serverName: string;
  readonly server: DiscoveredServer | undefined;
  readonly ctx: NodeContext;
}

/** What an item row needs of its category row. */
export interface CategoryRow extends TreeNode {
  readonly serverNode: ServerRow;
}
