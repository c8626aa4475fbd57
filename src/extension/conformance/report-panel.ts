// "Check Conformance" on a server: runs the checker with the broker's stored credentials, streams results
// into a report panel (grouped, with spec links), and offers rerun, copy as Markdown and export as JSON.
// Results also reach the timeline through the checker's events. Runs are abortable: closing a panel or the
// editor stops its check between groups (ConformanceReports.dispose awaits that).
import * as vscode from 'vscode';
import type { CheckResult, ConformanceOptions, ConformanceReport } from '../../core/conformance/index.js';
import type { EventLog } from '../../core/events/event-log.js';
import { errorMessage, type Logger } from '../../core/util/logger.js';
import type { ReportFromWebview, ReportToWebview } from '../../../webview/conformance/protocol.js';
import type { BrokerManager } from '../brokers/manager.js';
import { renderPage, webviewOptions } from '../webviews/webview-html.js';
import { checkConformanceMessage } from '../webviews/message-guards.js';
import { type ReadyMessage, WebviewHost } from '../webviews/webview-host.js';
import { pickServer } from '../commands/pickers.js';
import type { CommandHandlers } from '../commands/register.js';
import { loadCore } from '../core-loader.js';

export interface ConformanceDeps {
  extensionUri: vscode.Uri;
  brokers: BrokerManager;
  events: EventLog;
  log: Logger;
}

/** Which server a panel checks: a configured broker's, or one reached another way (`source`). */
export interface ReportTarget {
  broker: { id: string; label: string };
  serverName: string;
  /** Where to check instead of the configured broker (packet mode: the listening broker and its capture). */
  source?: Pick<ConformanceOptions, 'broker' | 'serverId' | 'packets'>;
}

/** The open report panels, one per server, and the commands that open them. */
export class ConformanceReports {
  private readonly open = new Map<string, ConformancePanel>();

  constructor(private readonly deps: ConformanceDeps) {}

  show(target: ReportTarget): ConformancePanel {
    const key = `${target.broker.id}\u0000${target.serverName}`;
    const existing = this.open.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('mqttMcp.conformance', `Conformance: ${target.serverName}`, vscode.ViewColumn.Active, {
      ...webviewOptions(this.deps.extensionUri),
      retainContextWhenHidden: true,
    });
    const created = new ConformancePanel(this.deps, target, panel);
    this.open.set(key, created);
    panel.onDidDispose(() => {
      if (this.open.get(key) === created) this.open.delete(key);
      void created.dispose();
    });
    return created;
  }

  commands(): CommandHandlers {
    return {
      'mqttMcp.checkConformance': async (arg?: unknown) => {
        const target = await pickServer(this.deps.brokers, arg);
        if (!target) return undefined;
        return this.show(target).run();
      },
    };
  }

  /** Stops running checks (their probes disconnect) and closes the panels. */
  async dispose(): Promise<void> {
    const panels = [...this.open.values()];
    this.open.clear();
    await Promise.all(panels.map((p) => p.dispose()));
  }
}

export class ConformancePanel {
  private report: ConformanceReport | undefined;
  private running: { abort: AbortController; done: Promise<unknown> } | undefined;
  private readonly host: WebviewHost<ReportFromWebview, ReportToWebview>;
  private disposed = false;

  constructor(
    private readonly deps: ConformanceDeps,
    private readonly target: ReportTarget,
    readonly panel: vscode.WebviewPanel,
  ) {
    // The panel is retained while hidden, so messages posted before the page loads wait for it.
    this.host = new WebviewHost<ReportFromWebview, ReportToWebview>({ label: 'conformance panel', webview: panel.webview, check: checkConformanceMessage, handle: (m) => this.handle(m), beforeReady: 'queue', log: deps.log });
    panel.webview.html = renderPage(panel.webview, deps.extensionUri, { title: panel.title, script: 'conformance', style: 'conformance' });
  }

  private post(message: ReportToWebview): void {
    this.host.post(message);
  }

  private async handle(message: Exclude<ReportFromWebview, ReadyMessage>): Promise<void> {
    switch (message.type) {
      case 'rerun':
        await this.run();
        return;
      case 'copyMarkdown':
        if (this.report) await vscode.env.clipboard.writeText(loadCore().conformance.reportToMarkdown(this.report));
        return;
      case 'exportJson': {
        if (!this.report) return;
        const uri = await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export report' });
        if (uri) await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(this.report, null, 2)));
        return;
      }
      case 'openSpec': {
        // Only the spec links the report itself carries, and only https.
        const known = this.report?.results.some((r) => r.specUrl === message.url);
        if (known && message.url.startsWith('https://')) await vscode.env.openExternal(vscode.Uri.parse(message.url));
        return;
      }
    }
  }

  /** Runs the checker; resolves with the report (also shown in the panel). */
  async run(): Promise<ConformanceReport | undefined> {
    if (this.running || this.disposed) return undefined;
    const abort = new AbortController();
    const done = this.check(abort.signal);
    this.running = { abort, done };
    try {
      return await done;
    } finally {
      this.running = undefined;
    }
  }

  private async check(signal: AbortSignal): Promise<ConformanceReport | undefined> {
    this.post({ type: 'started', serverName: this.target.serverName, broker: this.target.broker.label });
    try {
      const { runConformance } = loadCore().conformance;
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking ${this.target.serverName}`, cancellable: false },
        async (progress) =>
          runConformance({
            broker: this.target.source?.broker ?? (await this.deps.brokers.brokerConfig(this.target.broker.id)),
            serverName: this.target.serverName,
            serverId: this.target.source?.serverId,
            packets: this.target.source?.packets,
            events: this.deps.events.sink,
            signal,
            onProgress: (result: CheckResult) => {
              progress.report({ message: result.title });
              this.post({ type: 'progress', result });
            },
          }),
      );
      this.report = report;
      this.post({ type: 'report', report });
      return report;
    } catch (e) {
      if (signal.aborted) return undefined;
      this.post({ type: 'failed', message: errorMessage(e) });
      void vscode.window.showErrorMessage(`MQTT MCP: conformance check of ${this.target.serverName} failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** Aborts a running check and waits until its probes are closed. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.host.dispose();
    const running = this.running;
    running?.abort.abort(new Error('the conformance panel was closed'));
    await running?.done.catch(() => undefined);
    this.panel.dispose();
  }
}
