// What a command was invoked on: a tree row (context menu, inline action, row click), a file (explorer or
// editor title), or nothing (palette, keybinding). Every command reads its argument through these, so the
// tree's node classes are known here and in the tree only.
import * as vscode from 'vscode';
import type { Prompt, Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { BrokerEntry } from '../brokers/manager.js';
import { BrokerNode, ItemNode, ServerNode } from '../tree/nodes.js';

export interface ServerTarget {
  broker: BrokerEntry;
  serverName: string;
}

export function brokerArgument(arg: unknown): BrokerEntry | undefined {
  return arg instanceof BrokerNode ? arg.broker : undefined;
}

export function serverArgument(arg: unknown): ServerTarget | undefined {
  if (arg instanceof ServerNode) return { broker: arg.broker, serverName: arg.serverName };
  if (arg instanceof ItemNode) return { broker: arg.serverNode.broker, serverName: arg.serverNode.serverName };
  return undefined;
}

/** The tree row itself when a command ran on a server row (to refresh just that row afterwards). */
export function serverRowArgument(arg: unknown): ServerNode | undefined {
  return arg instanceof ServerNode ? arg : undefined;
}

interface ItemKinds {
  tools: Tool;
  resources: Resource;
  prompts: Prompt;
}

export function itemArgument<K extends keyof ItemKinds>(arg: unknown, kind: K): (ServerTarget & { item: ItemKinds[K] }) | undefined {
  if (!(arg instanceof ItemNode) || arg.kind !== kind) return undefined;
  return { broker: arg.serverNode.broker, serverName: arg.serverNode.serverName, item: arg.entry as ItemKinds[K] };
}

export function fileArgument(arg: unknown): vscode.Uri | undefined {
  return arg instanceof vscode.Uri ? arg : undefined;
}

/** A row of the Simulators view (a simulated or proxied device). */
export function simulatedDeviceArgument(arg: unknown): { serverId: string } | undefined {
  return typeof arg === 'object' && arg !== null && typeof (arg as { serverId?: unknown }).serverId === 'string' ? (arg as { serverId: string }) : undefined;
}
