// Palette and context-menu actions on servers and their tools, resources and prompts. From the palette
// each asks for what the tree would have supplied (broker, server, item).
import * as vscode from 'vscode';
import type { CallToolResult, Prompt, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { FieldModel } from '../../core/forms/index.js';
import { topics } from '../../core/protocol/topics.js';
import { withCallSource } from '../../core/util/call-source.js';
import { errorMessage } from '../../core/util/logger.js';
import type { EventSource } from '../../core/events/event-log.js';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import { ItemNode, ServerNode } from '../tree/nodes.js';
import { pickBroker } from './brokers.js';
import { ResultDocuments } from '../documents.js';
import { loadCore } from '../core-loader.js';

export interface ServerTarget {
  broker: BrokerEntry;
  serverName: string;
}

export async function pickServer(brokers: BrokerManager, node: unknown): Promise<ServerTarget | undefined> {
  if (node instanceof ServerNode) return { broker: node.broker, serverName: node.serverName };
  if (node instanceof ItemNode) return { broker: node.serverNode.broker, serverName: node.serverNode.serverName };
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

async function catalogOf(target: ServerTarget) {
  const catalogs = target.broker.catalogs;
  if (!catalogs) throw new Error(`${target.broker.label} is not connected`);
  return catalogs.get(target.serverName);
}

export async function pickTool(brokers: BrokerManager, node: unknown): Promise<(ServerTarget & { tool: Tool }) | undefined> {
  if (node instanceof ItemNode && node.kind === 'tools') return { broker: node.serverNode.broker, serverName: node.serverNode.serverName, tool: node.entry as Tool };
  const target = await pickServer(brokers, node);
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

/** Step-by-step inputs for flat schemas; a validated JSON document for anything nested. */
export async function askArguments(tool: Tool): Promise<Record<string, unknown> | undefined> {
  const { coerceInput, createValidator, defaultArguments, isFlatSchema, buildFormModel } = loadCore().forms;
  const validate = createValidator(tool.inputSchema);
  if (isFlatSchema(tool.inputSchema)) {
    const fields: FieldModel[] = buildFormModel(tool.inputSchema).properties;
    const args: Record<string, unknown> = {};
    for (const [i, field] of fields.entries()) {
      const key = field.path[field.path.length - 1] as string;
      const step = `${tool.name} (${i + 1}/${fields.length}): ${field.label}${field.required ? '' : ' (optional)'}`;
      let value: unknown;
      if (field.kind === 'boolean' || field.kind === 'enum') {
        const options: { label: string; value: unknown }[] =
          field.kind === 'boolean' ? [{ label: 'true', value: true }, { label: 'false', value: false }] : field.options.map((o) => ({ label: o.label, value: o.value }));
        if (!field.required) options.push({ label: '(leave out)', value: undefined });
        const picked = await vscode.window.showQuickPick(options.map((o) => ({ ...o, description: o.value === field.default ? 'default' : undefined })), {
          title: step,
          placeHolder: field.description,
          ignoreFocusOut: true,
        });
        if (!picked) return undefined;
        value = picked.value;
      } else {
        const text = await vscode.window.showInputBox({
          title: step,
          prompt: field.description,
          value: field.default !== undefined ? String(field.default) : '',
          validateInput: (t) => coerceInput(field, t).error,
          ignoreFocusOut: true,
        });
        if (text === undefined) return undefined;
        value = coerceInput(field, text).value;
      }
      if (value !== undefined) args[key] = value;
    }
    const issues = validate(args);
    if (issues.length) {
      void vscode.window.showErrorMessage(`Invalid arguments: ${issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}`);
      return undefined;
    }
    return args;
  }
  const text = await vscode.window.showInputBox({
    title: `${tool.name}: arguments (JSON)`,
    prompt: 'Edit the JSON arguments; they are checked against the tool\'s schema as you type',
    value: JSON.stringify(defaultArguments(tool.inputSchema)),
    validateInput: (t) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch (e) {
        return `not valid JSON: ${errorMessage(e)}`;
      }
      const issues = validate(parsed);
      return issues.length ? issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ') : undefined;
    },
    ignoreFocusOut: true,
  });
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

export async function callTool(target: ServerTarget, tool: string, args: Record<string, unknown>, source: EventSource, signal?: AbortSignal): Promise<CallToolResult> {
  const client = target.broker.client;
  if (!client) throw new Error(`${target.broker.label} is not connected`);
  return withCallSource(source, async () => {
    const session = await client.session(target.serverName);
    return session.callTool(tool, args, { signal });
  });
}

export function registerServerCommands(brokers: BrokerManager, documents: ResultDocuments, refreshServer: (node: ServerNode) => void, onExpose: (target: ServerTarget, exposed: boolean) => Promise<void>): vscode.Disposable[] {
  const guard =
    <A extends unknown[]>(title: string, fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (e) {
        void vscode.window.showErrorMessage(`MQTT MCP: ${title} failed: ${errorMessage(e)}`);
      }
    };
  return [
    vscode.commands.registerCommand(
      'mqttMcp.invokeTool',
      guard('Invoke Tool', async (node?: unknown) => {
        const picked = await pickTool(brokers, node);
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
      }),
    ),
    vscode.commands.registerCommand(
      'mqttMcp.readResource',
      guard('Read Resource', async (node?: unknown) => {
        let target: ServerTarget | undefined;
        let uri: string | undefined;
        if (node instanceof ItemNode && node.kind === 'resources') {
          target = { broker: node.serverNode.broker, serverName: node.serverNode.serverName };
          uri = (node.entry as { uri: string }).uri;
        } else {
          target = await pickServer(brokers, node);
          if (!target) return;
          const catalog = await catalogOf(target);
          const picked = await vscode.window.showQuickPick(
            catalog.resources.map((r) => ({ label: r.name, description: r.uri, uri: r.uri })),
            { title: `Choose a resource of ${target.serverName}` },
          );
          uri = picked?.uri;
        }
        if (target && uri) await documents.showResource(target.broker.id, target.serverName, uri);
      }),
    ),
    vscode.commands.registerCommand(
      'mqttMcp.getPrompt',
      guard('Get Prompt', async (node?: unknown) => {
        let target: ServerTarget | undefined;
        let prompt: Prompt | undefined;
        if (node instanceof ItemNode && node.kind === 'prompts') {
          target = { broker: node.serverNode.broker, serverName: node.serverNode.serverName };
          prompt = node.entry as Prompt;
        } else {
          target = await pickServer(brokers, node);
          if (!target) return;
          const catalog = await catalogOf(target);
          prompt = (await vscode.window.showQuickPick(catalog.prompts.map((p) => ({ label: p.name, description: p.description, prompt: p })), { title: 'Choose a prompt' }))?.prompt;
        }
        if (!target || !prompt) return;
        const args: Record<string, string> = {};
        for (const a of prompt.arguments ?? []) {
          const v = await vscode.window.showInputBox({ title: `${prompt.name}: ${a.name}${a.required ? '' : ' (optional)'}`, prompt: a.description, validateInput: (t) => (a.required && !t ? 'required' : undefined), ignoreFocusOut: true });
          if (v === undefined) return;
          if (v !== '') args[a.name] = v;
        }
        const client = target.broker.client;
        if (!client) throw new Error('broker not connected');
        const result = await withCallSource('palette', async () => (await client.session(target.serverName)).getPrompt(prompt.name, args));
        await documents.showPrompt(target.serverName, prompt.name, result);
      }),
    ),
    vscode.commands.registerCommand(
      'mqttMcp.pingServer',
      guard('Ping', async (node?: unknown) => {
        const target = await pickServer(brokers, node);
        const client = target?.broker.client;
        if (!target || !client) return;
        const started = performance.now();
        await withCallSource('palette', async () => (await client.session(target.serverName)).ping());
        void vscode.window.showInformationMessage(`${target.serverName} answered ping in ${(performance.now() - started).toFixed(1)} ms`);
      }),
    ),
    vscode.commands.registerCommand(
      'mqttMcp.copyServerName',
      guard('Copy', async (node?: unknown) => {
        const target = await pickServer(brokers, node);
        if (target) await vscode.env.clipboard.writeText(target.serverName);
      }),
    ),
    vscode.commands.registerCommand(
      'mqttMcp.copyServerTopic',
      guard('Copy', async (node?: unknown) => {
        const target = await pickServer(brokers, node);
        const instance = target && target.broker.client?.registry.get(target.serverName)?.instances[0];
        if (target && instance) await vscode.env.clipboard.writeText(topics.serverControl(instance.serverId, target.serverName));
      }),
    ),
    ...(['exposeToAgent', 'hideFromAgent'] as const).map((id) =>
      vscode.commands.registerCommand(
        `mqttMcp.${id}`,
        guard(id === 'exposeToAgent' ? 'Expose' : 'Hide', async (node?: unknown) => {
          const target = await pickServer(brokers, node);
          if (!target) return;
          await onExpose(target, id === 'exposeToAgent');
          if (node instanceof ServerNode) refreshServer(node);
        }),
      ),
    ),
  ];
}
