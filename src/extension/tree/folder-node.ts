// A server-name folder (`home`, `3D-Printer/ACH301`): its children are listed lazily, one page at a time.
import * as vscode from 'vscode';
import type { BrokerEntry } from '../brokers/manager.js';
import { folderPath } from '../../core/views/name-tree.js';
import { PAGE_SIZE, type FolderOwner, type NodeContext } from './node-context.js';
import { TreeNode } from './tree-node.js';

export class FolderNode extends TreeNode implements FolderOwner {
  readonly id: string;
  label: string;
  shown = PAGE_SIZE;
  constructor(
    readonly brokerNode: FolderOwner,
    readonly prefix: string,
    private readonly ctx: NodeContext,
  ) {
    super();
    this.id = `folder:${brokerNode.broker.id}:${prefix}`;
    this.label = folderPath(prefix);
  }

  get broker(): BrokerEntry {
    return this.brokerNode.broker;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = vscode.ThemeIcon.Folder;
    const count = this.ctx.model(this.broker)?.tree.count(this.prefix) ?? 0;
    item.tooltip = `${folderPath(this.prefix)}\n${count.toLocaleString('en')} devices`;
    item.contextValue = 'folder';
    return item;
  }

  override getChildren(): TreeNode[] {
    return this.broker.client ? this.ctx.folderChildren(this) : [];
  }
}
