// A list the device got wrong (not implemented although advertised, malformed, unanswered), shown as a warning
// row under its server: the other lists stay listed beside it, so one broken list never hides the tools.
// A TreeNode by shape, not by extending it: nodes.ts creates these, and a class import back would be circular.
import * as vscode from 'vscode';
import type { CatalogProblem } from '../../core/client/catalog-lists.js';
import type { TreeNode } from './tree-node.js';

const KIND_TEXT: Record<CatalogProblem['kind'], string> = {
  unimplemented: 'advertised but not implemented',
  malformed: 'malformed result',
  timeout: 'no answer',
  error: 'failed',
};

export class ProblemNode implements TreeNode {
  parent: TreeNode | undefined;
  constructor(
    readonly id: string,
    readonly problem: CatalogProblem,
  ) {}
  getChildren(): TreeNode[] {
    return [];
  }
  getTreeItem(): vscode.TreeItem {
    const { method, kind, message } = this.problem;
    // Label short enough for a narrow side bar; the message itself follows as the description and the tooltip.
    const item = new vscode.TreeItem(`${method}: ${KIND_TEXT[kind]}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = message.startsWith(`${method}: `) ? message.slice(method.length + 2) : message;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    // Plain text: the message quotes what the device sent.
    item.tooltip = `${message}\n\nThe server's other lists are shown; refresh the server to list again.`;
    item.contextValue = 'catalogProblem';
    return item;
  }
}
