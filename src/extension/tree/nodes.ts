// Every kind of Devices-tree row, one class per file; imported from here by the commands and tests.
export { TreeNode } from './tree-node.js';
export type { CategoryKind, CategoryRow, FolderOwner, NodeContext, ServerRow } from './node-context.js';
export { BrokerNode } from './broker-node.js';
export { FolderNode } from './folder-node.js';
export { ShowMoreNode } from './show-more-node.js';
export { ServerNode } from './server-node.js';
export { InstancesNode } from './instances-node.js';
export { CategoryNode } from './category-node.js';
export { ItemNode } from './item-node.js';
export { MessageNode } from './message-node.js';
export { ProblemNode } from './problem-node.js';
