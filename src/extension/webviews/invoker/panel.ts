// Host side of one tool invoker panel: finds the tool (again, after a reload), answers validation requests,
// runs calls with progress and cancellation, keeps the tool's history, and copies arguments or CLI commands.
// The WebviewHost posts nothing before the page says `ready`, then `init` restores the whole state (also after
// the page reloads); every incoming message is checked first.
import * as vscode from 'vscode';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { loadCore } from '../../core-loader.js';
import { withCallSource } from '../../../core/util/call-source.js';
import { errorMessage } from '../../../core/util/logger.js';
import type { Logger } from '../../../core/util/logger.js';
import { notAllowedMessage, serverAccess } from '../../../core/rbac/client-access.js';
import { NOT_ALLOWED_CODE } from '../../../core/rbac/access.js';
import type { BrokerManager } from '../../brokers/manager.js';
import type { ResultDocuments } from '../../documents.js';
import type {
  CallOutcome, InvokerHostMessage, InvokerState, InvokerWebviewMessage, ProgressInfo, TargetInfo,
} from '../../../../webview/shared/protocol.js';
import { checkInvokerMessage } from '../message-guards.js';
import { renderPage, webviewOptions } from '../webview-html.js';
import { type ReadyMessage, WebviewHost } from '../webview-host.js';
import { cliCallCommand } from './cli-command.js';
import { historyKey, InvokerHistory } from './history.js';
import { failureOutcome, historyOutcome, resultOutcome } from './outcome.js';

export interface InvokerDeps {
  extensionUri: vscode.Uri;
  brokers: BrokerManager;
  documents: ResultDocuments;
  log: Logger;
}

interface RunningCall {
  callId: string;
  startedAt: number;
  abort: AbortController;
  progress?: ProgressInfo;
}

export class InvokerPanel implements vscode.Disposable {
  private tool: Tool | undefined;
  private running: RunningCall | undefined;
  private lastOutcome: { callId: string; outcome: CallOutcome } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly host: WebviewHost<InvokerWebviewMessage, InvokerHostMessage>;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: InvokerDeps,
    private readonly history: InvokerHistory,
    private state: InvokerState,
    tool?: Tool,
  ) {
    this.tool = tool;
    panel.webview.options = webviewOptions(services.extensionUri);
    panel.title = `${state.toolName} · ${state.serverName}`;
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'mqtt-mcp.svg');
    this.host = new WebviewHost({
      label: 'tool invoker',
      webview: panel.webview,
      check: checkInvokerMessage,
      handle: (message) => this.handle(message),
      onReady: () => this.sendInitial(),
      beforeReady: 'restore',
      log: services.log,
    });
    this.disposables.push(
      this.host,
      panel.onDidDispose(() => this.dispose()),
      // Reloaded before the broker connected: try again as brokers and servers come and go.
      services.brokers.onDidChangeBroker(() => void this.retryResolve()),
      services.brokers.onDidChangeServers(({ broker }) => broker.id === state.brokerId && void this.retryResolve()),
    );
    panel.webview.html = renderPage(panel.webview, services.extensionUri, { title: panel.title, script: 'invoker', style: 'invoker' });
  }

  get key(): string {
    return historyKey(this.state.brokerId, this.state.serverName, this.state.toolName);
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: InvokerHostMessage): void {
    this.host.post(message);
  }

  private target(): TargetInfo {
    const broker = this.services.brokers.get(this.state.brokerId);
    return { brokerId: this.state.brokerId, brokerLabel: broker?.label ?? this.state.brokerId, serverName: this.state.serverName };
  }

  /** Finds the tool in the server's catalog; says why not when it cannot (the panel shows that). */
  private async resolveTool(): Promise<Tool | string> {
    if (this.tool) return this.tool;
    const broker = this.services.brokers.get(this.state.brokerId);
    if (!broker) return `The broker "${this.state.brokerId}" is not configured any more.`;
    if (!broker.client || !broker.catalogs || broker.state !== 'connected') return `Waiting for ${broker.label} to connect (${broker.state}).`;
    if (!broker.client.registry.get(this.state.serverName)?.online) return `Waiting for ${this.state.serverName} to come online on ${broker.label}.`;
    try {
      const catalog = await broker.catalogs.get(this.state.serverName);
      const tool = catalog.tools.find((t) => t.name === this.state.toolName);
      if (!tool) return `${this.state.serverName} does not list a tool named "${this.state.toolName}".`;
      this.tool = tool;
      return tool;
    } catch (e) {
      return `Could not list the tools of ${this.state.serverName}: ${errorMessage(e)}`;
    }
  }

  private retrying = false;
  private async retryResolve(): Promise<void> {
    if (this.tool || !this.host.isReady || this.retrying) return;
    this.retrying = true;
    try {
      await this.sendInitial();
    } finally {
      this.retrying = false;
    }
  }

  private async sendInitial(): Promise<void> {
    const tool = await this.resolveTool();
    if (typeof tool === 'string') {
      this.post({ type: 'unavailable', target: this.target(), toolName: this.state.toolName, reason: tool });
      return;
    }
    const args = Object.keys(this.state.args).length > 0 ? this.state.args : loadCore().forms.defaultArguments(tool.inputSchema);
    const message: InvokerHostMessage = {
      type: 'init',
      target: this.target(),
      tool: { name: tool.name, hasOutputSchema: tool.outputSchema !== undefined },
      model: loadCore().forms.buildFormModel(tool.inputSchema),
      args,
      history: this.history.list(this.key),
    };
    if (tool.title) message.tool.title = tool.title;
    if (tool.description) message.tool.description = tool.description;
    if (tool.annotations) message.tool.annotations = { ...tool.annotations };
    const refusal = this.refusal(tool.name);
    if (refusal) message.tool.notAllowed = refusal;
    if (this.running) message.running = { callId: this.running.callId, startedAt: this.running.startedAt, ...(this.running.progress ? { progress: this.running.progress } : {}) };
    if (this.lastOutcome) message.lastOutcome = this.lastOutcome;
    this.post(message);
  }

  private async handle(message: Exclude<InvokerWebviewMessage, ReadyMessage>): Promise<InvokerHostMessage | void> {
    switch (message.type) {
      case 'validate':
        this.state = { ...this.state, args: message.args };
        if (this.tool) return { type: 'validation', seq: message.seq, issues: loadCore().forms.createValidator(this.tool.inputSchema)(message.args) };
        return;
      case 'invoke':
        return this.invoke(message.callId, message.args);
      case 'cancel':
        if (this.running?.callId === message.callId) this.running.abort.abort(new Error('cancelled by the user'));
        return;
      case 'openResource':
        return this.services.documents.showResource(this.state.brokerId, this.state.serverName, message.uri);
      case 'copyArguments':
        await vscode.env.clipboard.writeText(JSON.stringify(message.args, null, 2));
        void vscode.window.setStatusBarMessage('Arguments copied', 3000);
        return;
      case 'copyCommand': {
        const settings = this.services.brokers.get(this.state.brokerId)?.settings;
        if (!settings) throw new Error(`broker ${this.state.brokerId} is not configured`);
        await vscode.env.clipboard.writeText(cliCallCommand({ brokerUrl: settings.url, username: settings.username, serverName: this.state.serverName, tool: this.state.toolName, args: message.args }));
        void vscode.window.setStatusBarMessage('mqtt-mcp command copied', 3000);
        return;
      }
      case 'clearHistory':
        await this.history.clear(this.key);
        return { type: 'history', entries: [] };
    }
  }

  private async invoke(callId: string, args: Record<string, unknown>): Promise<void> {
    const tool = this.tool;
    if (!tool || this.running) return; // one call at a time per panel; the webview disables Invoke meanwhile
    const running: RunningCall = { callId, startedAt: Date.now(), abort: new AbortController() };
    this.running = running;
    this.state = { ...this.state, args };
    let outcome: CallOutcome;
    try {
      const client = this.services.brokers.get(this.state.brokerId)?.client;
      if (!client) throw new Error(`${this.target().brokerLabel} is not connected`);
      // Said before anything is sent: the broker would refuse it anyway, a round trip later.
      const refusal = this.refusal(tool.name);
      if (refusal) throw Object.assign(new Error(refusal), { code: NOT_ALLOWED_CODE });
      // Like commands/servers.ts callTool, plus onprogress so the panel can show the device's progress.
      const result = await withCallSource('invoker', async () => {
        const session = await client.session(this.state.serverName);
        return session.callTool(tool.name, args, {
          signal: running.abort.signal,
          onprogress: (p) => {
            running.progress = { progress: p.progress, ...(p.total !== undefined ? { total: p.total } : {}), ...(p.message !== undefined ? { message: p.message } : {}) };
            this.post({ type: 'progress', callId, progress: running.progress });
          },
        });
      });
      outcome = resultOutcome(result, tool, Date.now() - running.startedAt);
    } catch (e) {
      outcome = failureOutcome(e, running.abort.signal.aborted, Date.now() - running.startedAt);
    } finally {
      this.running = undefined;
    }
    this.lastOutcome = { callId, outcome };
    this.post({ type: 'outcome', callId, outcome });
    const entries = await this.history.add(this.key, { id: callId, time: running.startedAt, args, durationMs: outcome.durationMs, outcome: historyOutcome(outcome) });
    this.post({ type: 'history', entries });
  }

  /** "not allowed: <reason>" when the broker's RBAC role for this user does not allow the tool. */
  private refusal(toolName: string): string | undefined {
    const access = serverAccess(this.services.brokers.get(this.state.brokerId)?.client, this.state.serverName).tool(toolName);
    return access.allowed ? undefined : notAllowedMessage(access);
  }

  private disposed = false;
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.running?.abort.abort(new Error('the invoker was closed'));
    for (const d of this.disposables.splice(0)) d.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
