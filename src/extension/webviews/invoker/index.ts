// The tool invoker: one panel per tool (opening the same tool again reveals it), reopened after a window
// reload by the serializer from the state the webview saved (broker, server, tool, arguments).
import * as vscode from 'vscode';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { pickTool } from '../../commands/pickers.js';
import { registerCommands } from '../../commands/register.js';
import type { Services } from '../../services.js';
import { INVOKER_VIEW_TYPE, type InvokerState } from '../../../../webview/shared/protocol.js';
import { checkInvokerState } from '../message-guards.js';
import { webviewOptions } from '../webview-html.js';
import { historyKey, InvokerHistory } from './history.js';
import { InvokerPanel } from './panel.js';

export class ToolInvokers implements vscode.Disposable {
  private readonly panels = new Map<string, InvokerPanel>();
  private readonly history: InvokerHistory;

  constructor(private readonly services: Services) {
    this.history = new InvokerHistory(services.context.globalState);
  }

  open(state: InvokerState, tool: Tool): InvokerPanel {
    const existing = this.panels.get(historyKey(state.brokerId, state.serverName, state.toolName));
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(INVOKER_VIEW_TYPE, state.toolName, vscode.ViewColumn.Active, webviewOptions(this.services.context.extensionUri));
    return this.track(new InvokerPanel(panel, this.services, this.history, state, tool));
  }

  revive(panel: vscode.WebviewPanel, rawState: unknown): void {
    const state = checkInvokerState(rawState);
    if (!state) {
      this.services.log.warn('tool invoker: a restored panel had no usable state; closing it');
      panel.dispose();
      return;
    }
    const key = historyKey(state.brokerId, state.serverName, state.toolName);
    if (this.panels.has(key)) {
      panel.dispose(); // the same tool was opened again before this one was restored
      return;
    }
    this.track(new InvokerPanel(panel, this.services, this.history, state));
  }

  /** Open panels, for tests. */
  list(): InvokerPanel[] {
    return [...this.panels.values()];
  }

  private track(invoker: InvokerPanel): InvokerPanel {
    const key = invoker.key;
    this.panels.set(key, invoker);
    invoker.onDidDispose(() => {
      if (this.panels.get(key) === invoker) this.panels.delete(key);
    });
    return invoker;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}

export function registerToolInvoker(services: Services, invokers: ToolInvokers): vscode.Disposable[] {
  return [
    invokers,
    vscode.window.registerWebviewPanelSerializer(INVOKER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => invokers.revive(panel, state),
    }),
    ...registerCommands({
      'mqttMcp.openToolInvoker': async (arg?: unknown) => {
        const picked = await pickTool(services.brokers, arg);
        if (!picked) return;
        invokers.open({ brokerId: picked.broker.id, serverName: picked.serverName, toolName: picked.tool.name, args: {} }, picked.tool);
      },
    }, services.log),
  ];
}
