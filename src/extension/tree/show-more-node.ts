// The last row of a long folder: running it (mqttMcp.showMore) shows the next page of the folder's children.
import * as vscode from 'vscode';
import type { FolderOwner } from './node-context.js';
import { TreeNode } from './tree-node.js';

export class ShowMoreNode extends TreeNode {
  readonly id: string;
  constructor(
    readonly owner: FolderOwner,
    private readonly more: number,
    private readonly total: number,
  ) {
    super();
    this.id = `${owner.id}/more`;
    this.parent = owner;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`Show ${this.more.toLocaleString('en')} more`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${this.owner.shown.toLocaleString('en')} of ${this.total.toLocaleString('en')} shown`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'showMore';
    item.command = { command: 'mqttMcp.showMore', title: 'Show More', arguments: [this] };
    return item;
  }
}
