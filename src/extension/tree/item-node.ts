// One tool, resource, resource template or prompt of a device; clicking a tool opens its invoker, a
// resource reads it.
import * as vscode from 'vscode';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
// The summary alone: forms/index also brings ajv, which the tree never needs.
import { summarizeSchema } from '../../core/forms/summary.js';
import { markNotAllowed } from './rbac-marks.js';
import type { CategoryKind, CategoryRow, ServerRow } from './node-context.js';
import { TreeNode } from './tree-node.js';

export class ItemNode extends TreeNode {
  readonly id: string;
  constructor(
    readonly category: CategoryRow,
    readonly kind: CategoryKind,
    readonly entry: Tool | Resource | ResourceTemplate | Prompt,
  ) {
    super();
    this.id = `${category.id}/${'uri' in entry ? entry.uri : 'uriTemplate' in entry ? entry.uriTemplate : entry.name}`;
  }
  get serverNode(): ServerRow {
    return this.category.serverNode;
  }
  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const title = 'title' in e && typeof e.title === 'string' ? e.title : undefined;
    const item = new vscode.TreeItem(title ?? e.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = e.description?.split('\n')[0] ?? ('uri' in e ? e.uri : '');
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**');
    tip.appendText(e.name);
    tip.appendMarkdown('**\n\n');
    if (e.description) tip.appendText(`${e.description}\n\n`);
    if (this.kind === 'tools') tip.appendText(summarizeSchema((e as Tool).inputSchema) || 'no parameters');
    if ('uri' in e) tip.appendText(`${e.uri}${e.mimeType ? ` (${e.mimeType})` : ''}`);
    if ('uriTemplate' in e) tip.appendText(e.uriTemplate);
    if (this.kind === 'prompts') tip.appendText(((e as Prompt).arguments ?? []).map((a) => `${a.name}${a.required ? ' (required)' : ''}`).join(', ') || 'no arguments');
    item.tooltip = tip;
    const kinds = { tools: ['tool', 'symbol-method'], resources: ['resource', 'file'], templates: ['template', 'file-symlink-file'], prompts: ['prompt', 'comment'] } as const;
    const [context, icon] = kinds[this.kind];
    item.contextValue = context;
    item.iconPath = new vscode.ThemeIcon(icon);
    if (this.kind === 'tools') item.command = { command: 'mqttMcp.openToolInvoker', title: 'Open Tool Invoker', arguments: [this] };
    if (this.kind === 'resources') item.command = { command: 'mqttMcp.readResource', title: 'Read Resource', arguments: [this] };
    markNotAllowed(item, this.serverNode.broker.client, this.serverNode.serverName, this.kind, e);
    this.serverNode.ctx.decorateItem?.(this, item);
    return item;
  }
}
