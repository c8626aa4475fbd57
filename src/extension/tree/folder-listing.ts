// The rows under a broker or folder: one page of its child folders and servers from the broker's name tree
// (listed and sorted once per folder there), then "Show N more" when the folder holds more than the page.
import { shortName } from '../../core/views/name-tree.js';
import { FolderNode } from './folder-node.js';
import { PAGE_SIZE, type FolderOwner, type NodeContext } from './node-context.js';
import { ServerNode } from './server-node.js';
import { ShowMoreNode } from './show-more-node.js';
import type { TreeNode } from './tree-node.js';

export function folderChildren(owner: FolderOwner, ctx: NodeContext): TreeNode[] {
  const model = ctx.model(owner.broker);
  if (!model) return [];
  const { folders, servers } = model.tree.listing(owner.prefix);
  const total = folders.length + servers.length;
  const brokerId = owner.broker.id;
  const rows: TreeNode[] = [];
  for (const f of folders.slice(0, owner.shown)) {
    const node = ctx.node(folderId(brokerId, f.prefix), () => new FolderNode(owner.brokerNode, f.prefix, ctx));
    node.label = f.label;
    node.parent = owner;
    rows.push(node);
  }
  for (const name of servers.slice(0, Math.max(0, owner.shown - folders.length))) {
    const node = ctx.node(serverId(brokerId, name), () => new ServerNode(owner.brokerNode, name, ctx));
    node.label = shortName(name, owner.prefix);
    node.parent = owner;
    rows.push(node);
  }
  if (total > owner.shown) rows.push(new ShowMoreNode(owner, Math.min(PAGE_SIZE, total - owner.shown), total));
  return rows;
}

/** Where a child sits among a folder's rows (folders first), or -1. */
export function rowIndex(owner: FolderOwner, ctx: NodeContext, child: { prefix: string } | { serverName: string }): number {
  const listing = ctx.model(owner.broker)?.tree.listing(owner.prefix);
  if (!listing) return -1;
  if ('prefix' in child) return listing.folders.findIndex((f) => f.prefix === child.prefix);
  const i = listing.servers.indexOf(child.serverName);
  return i < 0 ? -1 : listing.folders.length + i;
}

export const folderId = (brokerId: string, prefix: string): string => `folder:${brokerId}:${prefix}`;
export const serverId = (brokerId: string, name: string): string => `server:${brokerId}:${name}`;
