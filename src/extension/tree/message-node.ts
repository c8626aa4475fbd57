// An informational row (not connected, nothing discovered yet, nothing matches the filter, an instance).
import * as vscode from 'vscode';
import { TreeNode } from './tree-node.js';

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
