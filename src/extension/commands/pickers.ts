// Quick picks that ask for what a tree row would have supplied: a broker, a server, a tool, a resource, a
// prompt, a model file. Each takes the command's argument first and asks only when it does not say.
import * as vscode from 'vscode';
import type { Prompt, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import { brokerArgument, fileArgument, itemArgument, serverArgument, type ServerTarget } from './arguments.js';

export async function pickBroker(brokers: BrokerManager, arg: unknown, filter: (b: BrokerEntry) => boolean = () => true): Promise<BrokerEntry | undefined> {
  const fromTree = brokerArgument(arg);
  if (fromTree) return fromTree;
  const candidates = brokers.list().filter(filter);
  if (candidates.length <= 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((b) => ({ label: b.label, description: `${b.settings.url} · ${b.state}`, broker: b })),
    { title: 'Choose a broker' },
  );
  return picked?.broker;
}

/** One of several connected brokers (undefined: none connected, or the user cancelled: see `cancelled`). */
export async function pickConnectedBroker(brokers: BrokerManager, title: string): Promise<{ broker?: BrokerEntry; cancelled: boolean }> {
  const connected = brokers.connected();
  if (connected.length <= 1) return { broker: connected[0], cancelled: false };
  const picked = await vscode.window.showQuickPick(connected.map((b) => ({ label: b.label, description: b.settings.url, b })), { title });
  return { broker: picked?.b, cancelled: !picked };
}

export async function pickServer(brokers: BrokerManager, arg: unknown): Promise<ServerTarget | undefined> {
  const fromTree = serverArgument(arg);
  if (fromTree) return fromTree;
  const broker = await pickBroker(brokers, undefined, (b) => b.state === 'connected');
  if (!broker?.client) {
    void vscode.window.showWarningMessage('MQTT MCP: no connected broker. Add one, or start the local broker with demo devices.');
    return undefined;
  }
  const servers = broker.client.registry.servers().filter((s) => s.online);
  if (servers.length === 0) {
    void vscode.window.showWarningMessage(`MQTT MCP: no MCP servers online on ${broker.label}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: s.name, description: s.instances[0]?.description, detail: s.instances.length > 1 ? `${s.instances.length} instances` : undefined })),
    { title: `Choose a server on ${broker.label}`, matchOnDescription: true },
  );
  return picked && { broker, serverName: picked.label };
}

export async function catalogOf(target: ServerTarget) {
  const catalogs = target.broker.catalogs;
  if (!catalogs) throw new Error(`${target.broker.label} is not connected`);
  return catalogs.get(target.serverName);
}

export async function pickTool(brokers: BrokerManager, arg: unknown): Promise<(ServerTarget & { tool: Tool }) | undefined> {
  const fromTree = itemArgument(arg, 'tools');
  if (fromTree) return { broker: fromTree.broker, serverName: fromTree.serverName, tool: fromTree.item };
  const target = await pickServer(brokers, arg);
  if (!target) return undefined;
  const catalog = await catalogOf(target);
  if (catalog.tools.length === 0) {
    void vscode.window.showInformationMessage(`${target.serverName} has no tools.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    catalog.tools.map((t) => ({ label: t.name, description: t.title, detail: t.description?.split('\n')[0], tool: t })),
    { title: `Choose a tool of ${target.serverName}`, matchOnDetail: true },
  );
  return picked && { ...target, tool: picked.tool };
}

export async function pickResource(brokers: BrokerManager, arg: unknown): Promise<(ServerTarget & { uri: string }) | undefined> {
  const fromTree = itemArgument(arg, 'resources');
  if (fromTree) return { broker: fromTree.broker, serverName: fromTree.serverName, uri: fromTree.item.uri };
  const target = await pickServer(brokers, arg);
  if (!target) return undefined;
  const catalog = await catalogOf(target);
  const picked = await vscode.window.showQuickPick(catalog.resources.map((r) => ({ label: r.name, description: r.uri, uri: r.uri })), { title: `Choose a resource of ${target.serverName}` });
  return picked && { ...target, uri: picked.uri };
}

export async function pickPrompt(brokers: BrokerManager, arg: unknown): Promise<(ServerTarget & { prompt: Prompt }) | undefined> {
  const fromTree = itemArgument(arg, 'prompts');
  if (fromTree) return { broker: fromTree.broker, serverName: fromTree.serverName, prompt: fromTree.item };
  const target = await pickServer(brokers, arg);
  if (!target) return undefined;
  const catalog = await catalogOf(target);
  const picked = await vscode.window.showQuickPick(catalog.prompts.map((p) => ({ label: p.name, description: p.description, prompt: p })), { title: 'Choose a prompt' });
  return picked && { ...target, prompt: picked.prompt };
}

/** The model file a command runs on: the one clicked, else the active editor's, else one the user opens. */
export async function pickModelFile(arg: unknown): Promise<vscode.Uri | undefined> {
  return (
    fileArgument(arg) ??
    vscode.window.activeTextEditor?.document.uri ??
    (await vscode.window.showOpenDialog({ filters: { 'Device models': ['json', 'yaml', 'yml'] }, canSelectMany: false }))?.[0]
  );
}
