// The instances of a server-name that more than one device serves (load-balanced or redundant).
import * as vscode from 'vscode';
import { MessageNode } from './message-node.js';
import type { ServerRow } from './node-context.js';
import { TreeNode } from './tree-node.js';

export class InstancesNode extends TreeNode {
  readonly id: string;
  constructor(readonly serverNode: ServerRow) {
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
