// The tool invoker: one panel per tool (opening the same tool again reveals it), reopened after a window
// reload by the serializer from the state the webview saved (broker, server, tool, arguments).
import * as vscode from 'vscode';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { pickTool } from '../../commands/pickers.js';
import type { CommandHandlers } from '../../commands/register.js';
import { INVOKER_VIEW_TYPE, type InvokerState } from '../../../../webview/shared/protocol.js';
import { checkInvokerState } from '../message-guards.js';
import { webviewOptions } from '../webview-html.js';
import { historyKey, InvokerHistory } from './history.js';
import { type InvokerDeps, InvokerPanel } from './panel.js';

export class ToolInvokers implements vscode.Disposable {
  private readonly panels = new Map<string, InvokerPanel>();
  private readonly history: InvokerHistory;

  constructor(
    private readonly services: InvokerDeps,
    globalState: vscode.Memento,
  ) {
    this.history = new InvokerHistory(globalState);
  }

  open(state: InvokerState, tool: Tool): InvokerPanel {
    const existing = this.panels.get(historyKey(state.brokerId, state.serverName, state.toolName));
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(INVOKER_VIEW_TYPE, state.toolName, vscode.ViewColumn.Active, webviewOptions(this.services.extensionUri));
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

  private track(invoker: InvokerPanel): InvokerPanel {
    const key = invoker.key;
    this.panels.set(key, invoker);
    invoker.onDidDispose(() => {
      if (this.panels.get(key) === invoker) this.panels.delete(key);
    });
    return invoker;
  }

  /** Reopens invoker panels after a window reload, from the state their webview saved. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(INVOKER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => this.revive(panel, state),
    });
  }

  commands(): CommandHandlers {
    return {
      'mqttMcp.openToolInvoker': async (arg?: unknown) => {
        const picked = await pickTool(this.services.brokers, arg);
        if (!picked) return;
        this.open({ brokerId: picked.broker.id, serverName: picked.serverName, toolName: picked.tool.name, args: {} }, picked.tool);
      },
    };
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}
