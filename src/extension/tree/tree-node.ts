// The base of every Devices-tree row, on its own so row modules (nodes.ts, problem-node.ts) import it
// without importing each other.
import type * as vscode from 'vscode';

export abstract class TreeNode {
  abstract readonly id: string;
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return [];
  }
  parent: TreeNode | undefined;
}
