// "Check Conformance" on a server: runs the checker with the broker's stored credentials, streams results
// into a report panel (grouped, with spec links), and offers rerun, copy as Markdown and export as JSON.
// Results also reach the timeline through the checker's events.
import * as vscode from 'vscode';
import type { CheckResult, ConformanceReport } from '../../core/conformance/index.js';
import { errorMessage } from '../../core/util/logger.js';
import { isReportFromWebview, type ReportToWebview } from '../../../webview/conformance/protocol.js';
import { renderPage, webviewOptions } from '../webviews/webview-html.js';
import type { ServerTarget } from '../commands/arguments.js';
import { pickServer } from '../commands/pickers.js';
import { registerCommands } from '../commands/register.js';
import type { Services } from '../services.js';
import { loadCore } from '../core-loader.js';

export class ConformancePanel {
  private static readonly open = new Map<string, ConformancePanel>();
  private report: ConformanceReport | undefined;
  private ready = false;
  private queue: ReportToWebview[] = [];
  private running = false;

  static show(services: Services, target: ServerTarget): ConformancePanel {
    const key = `${target.broker.id}\u0000${target.serverName}`;
    const existing = ConformancePanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('mqttMcp.conformance', `Conformance: ${target.serverName}`, vscode.ViewColumn.Active, {
      ...webviewOptions(services.context.extensionUri),
      retainContextWhenHidden: true,
    });
    const created = new ConformancePanel(services, target, panel);
    ConformancePanel.open.set(key, created);
    panel.onDidDispose(() => ConformancePanel.open.delete(key));
    return created;
  }

  private constructor(
    private readonly services: Services,
    private readonly target: ServerTarget,
    readonly panel: vscode.WebviewPanel,
  ) {
    panel.webview.html = renderPage(panel.webview, services.context.extensionUri, { title: panel.title, script: 'conformance', style: 'conformance' });
    panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message));
  }

  private post(message: ReportToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isReportFromWebview(message)) {
      this.services.log.warn(`conformance panel: ignored a malformed message from the webview`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
        return;
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
    if (this.running) return undefined;
    this.running = true;
    this.post({ type: 'started', serverName: this.target.serverName, broker: this.target.broker.label });
    try {
      const { runConformance } = loadCore().conformance;
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking ${this.target.serverName}`, cancellable: false },
        async (progress) =>
          runConformance({
            broker: await this.services.brokers.brokerConfig(this.target.broker.id),
            serverName: this.target.serverName,
            events: this.services.events.sink,
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
      this.post({ type: 'failed', message: errorMessage(e) });
      void vscode.window.showErrorMessage(`MQTT MCP: conformance check of ${this.target.serverName} failed: ${errorMessage(e)}`);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}

export function registerConformance(services: Services): vscode.Disposable[] {
  return registerCommands({
    'mqttMcp.checkConformance': async (arg?: unknown) => {
      const target = await pickServer(services.brokers, arg);
      if (!target) return undefined;
      return ConformancePanel.show(services, target).run();
    },
  }, services.log);
}
