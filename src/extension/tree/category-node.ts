// Tools, Resources, Resource Templates or Prompts under a server: the items as the device listed them.
import * as vscode from 'vscode';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ItemNode } from './item-node.js';
import type { CategoryKind, CategoryRow, ServerRow } from './node-context.js';
import { TreeNode } from './tree-node.js';

export class CategoryNode extends TreeNode implements CategoryRow {
  readonly id: string;
  items: readonly (Tool | Resource | ResourceTemplate | Prompt)[] = [];
  /** The list came back partly or not at all (a warning row under the server says why). */
  incomplete = false;
  constructor(
    readonly serverNode: ServerRow,
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
