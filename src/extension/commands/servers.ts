// Palette and context-menu actions on servers and their tools, resources and prompts. From the palette
// each asks for what the tree would have supplied (broker, server, item): see pickers.ts.
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { topics } from '../../core/protocol/topics.js';
import { withCallSource } from '../../core/util/call-source.js';
import type { EventSource } from '../../core/events/event-log.js';
import type { BrokerManager } from '../brokers/manager.js';
import type { ResultDocuments } from '../documents.js';
import type { ServerNode } from '../tree/nodes.js';
import { serverRowArgument, type ServerTarget } from './arguments.js';
import { pickPrompt, pickResource, pickServer, pickTool } from './pickers.js';
import type { CommandHandlers } from './register.js';
import { askArguments, askPromptArguments } from './tool-arguments.js';

export type { ServerTarget };

export async function callTool(target: ServerTarget, tool: string, args: Record<string, unknown>, source: EventSource, signal?: AbortSignal): Promise<CallToolResult> {
  const client = target.broker.client;
  if (!client) throw new Error(`${target.broker.label} is not connected`);
  return withCallSource(source, async () => {
    const session = await client.session(target.serverName);
    return session.callTool(tool, args, { signal });
  });
}

export interface ServerCommandDeps {
  brokers: BrokerManager;
  documents: ResultDocuments;
  refreshServer: (node: ServerNode) => void;
  setExposed: (target: ServerTarget, exposed: boolean) => Promise<void>;
}

export function serverCommands({ brokers, documents, refreshServer, setExposed }: ServerCommandDeps): CommandHandlers {
  const expose = (exposed: boolean) => async (arg?: unknown): Promise<void> => {
    const target = await pickServer(brokers, arg);
    if (!target) return;
    await setExposed(target, exposed);
    const row = serverRowArgument(arg);
    if (row) refreshServer(row);
  };
  return {
    'mqttMcp.invokeTool': async (arg?: unknown) => {
      const picked = await pickTool(brokers, arg);
      if (!picked) return;
      const args = await askArguments(picked.tool);
      if (!args) return;
      const started = Date.now();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Calling ${picked.tool.name} on ${picked.serverName}`, cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort('cancelled by the user'));
          return callTool(picked, picked.tool.name, args, 'palette', abort.signal);
        },
      );
      await documents.showToolResult(picked.serverName, picked.tool.name, args, result, Date.now() - started);
    },
    'mqttMcp.readResource': async (arg?: unknown) => {
      const picked = await pickResource(brokers, arg);
      if (picked) await documents.showResource(picked.broker.id, picked.serverName, picked.uri);
    },
    'mqttMcp.getPrompt': async (arg?: unknown) => {
      const picked = await pickPrompt(brokers, arg);
      if (!picked) return;
      const args = await askPromptArguments(picked.prompt);
      if (!args) return;
      const client = picked.broker.client;
      if (!client) throw new Error('broker not connected');
      const result = await withCallSource('palette', async () => (await client.session(picked.serverName)).getPrompt(picked.prompt.name, args));
      await documents.showPrompt(picked.serverName, picked.prompt.name, result);
    },
    'mqttMcp.pingServer': async (arg?: unknown) => {
      const target = await pickServer(brokers, arg);
      const client = target?.broker.client;
      if (!target || !client) return;
      const started = performance.now();
      await withCallSource('palette', async () => (await client.session(target.serverName)).ping());
      void vscode.window.showInformationMessage(`${target.serverName} answered ping in ${(performance.now() - started).toFixed(1)} ms`);
    },
    'mqttMcp.copyServerName': async (arg?: unknown) => {
      const target = await pickServer(brokers, arg);
      if (target) await vscode.env.clipboard.writeText(target.serverName);
    },
    'mqttMcp.copyServerTopic': async (arg?: unknown) => {
      const target = await pickServer(brokers, arg);
      const instance = target && target.broker.client?.registry.get(target.serverName)?.instances[0];
      if (target && instance) await vscode.env.clipboard.writeText(topics.serverControl(instance.serverId, target.serverName));
    },
    'mqttMcp.exposeToAgent': expose(true),
    'mqttMcp.hideFromAgent': expose(false),
  };
}
