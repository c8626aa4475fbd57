// Host side of one Watch panel: streams a ResourceWatch's readings to the webview in batches (at most one
// message per FLUSH_MS however fast the device updates), sends the whole kept history on `ready`, says when
// the watch ended and why, and exports CSV. The watch itself is owned by WatchService.
import * as vscode from 'vscode';
import type { ResourceWatch } from '../../core/watch/index.js';
import { errorMessage, type Logger } from '../../core/util/logger.js';
import type { WatchFromWebview, WatchInfo, WatchStatus, WatchToWebview } from '../../../webview/watch/protocol.js';
import { loadCore } from '../core-loader.js';
import { renderPage, webviewOptions } from '../webviews/webview-html.js';
import { type ReadyMessage, WebviewHost } from '../webviews/webview-host.js';
import { checkWatchMessage, endStatus } from './messages.js';

export const WATCH_VIEW_TYPE = 'mqttMcp.watch';
const FLUSH_MS = 250;

export interface WatchPanelDeps {
  extensionUri: vscode.Uri;
  log: Logger;
}

export class WatchPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly host: WebviewHost<WatchFromWebview, WatchToWebview>;
  private readonly batcher;
  private readonly disposers: (() => void)[] = [];
  private disposed = false;

  constructor(
    private readonly deps: WatchPanelDeps,
    private readonly watch: ResourceWatch,
    private readonly info: WatchInfo,
    private readonly actions: { unwatch: () => Promise<void>; rewatch: () => Promise<void> },
    onClosed: () => void,
  ) {
    const { RowBatcher, sampleRow, gapRow } = loadCore().watch;
    this.panel = vscode.window.createWebviewPanel(WATCH_VIEW_TYPE, `Watch: ${shortUri(info.uri)}`, vscode.ViewColumn.Active, {
      ...webviewOptions(deps.extensionUri),
      retainContextWhenHidden: true, // keeps Pause and zoom; memory is bounded by maxSamples either way
    });
    this.panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'mqtt-mcp.svg');
    this.host = new WebviewHost({
      label: 'watch panel',
      webview: this.panel.webview,
      check: checkWatchMessage,
      handle: (m) => this.handle(m),
      onReady: () => this.sendInit(),
      beforeReady: 'restore',
      log: deps.log,
    });
    this.batcher = new RowBatcher((rows) => this.host.post({ type: 'rows', rows, texts: [...watch.texts], samples: watch.samples }), { intervalMs: FLUSH_MS, capacity: info.maxSamples });
    this.disposers.push(
      // Before `ready` the rows are in the watch's series, which `init` sends whole.
      watch.onSample((s) => this.host.isReady && this.batcher.push(sampleRow(watch, s))),
      watch.onEnd((end) => {
        if (this.host.isReady) this.batcher.push(gapRow(watch, lastTime(watch)));
        this.batcher.flushNow();
        this.host.post({ type: 'status', status: endStatus(end) });
      }),
    );
    const closed = this.panel.onDidDispose(() => {
      this.dispose();
      onClosed();
    });
    this.disposers.push(() => closed.dispose());
    this.panel.webview.html = renderPage(this.panel.webview, deps.extensionUri, { title: this.panel.title, script: 'watch', style: 'watch', bundleStyle: true });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  reveal(): void {
    this.panel.reveal();
  }

  private sendInit(): void {
    this.batcher.clear();
    const { watchRows } = loadCore().watch;
    const status: WatchStatus = this.watch.ended ? endStatus(this.watch.ended) : { state: 'watching' };
    this.host.post({ type: 'init', info: this.info, rows: watchRows(this.watch), texts: [...this.watch.texts], samples: this.watch.samples, status });
  }

  /** What the panel's buttons ask; a failure is shown to the user, not only logged. */
  private async handle(message: Exclude<WatchFromWebview, ReadyMessage>): Promise<WatchToWebview | void> {
    try {
      if (message.type === 'unwatch') return await this.actions.unwatch();
      if (message.type === 'rewatch') return await this.actions.rewatch();
      return await this.exportCsv();
    } catch (e) {
      this.deps.log.error(`watch panel: ${message.type} failed`, e);
      void vscode.window.showErrorMessage(`MQTT MCP: ${message.type === 'exportCsv' ? 'Export CSV' : message.type === 'rewatch' ? 'Watch Again' : 'Unwatch'} failed: ${errorMessage(e)}`);
    }
  }

  private async exportCsv(): Promise<WatchToWebview | void> {
    const csv = loadCore().watch.watchToCsv(this.watch);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd());
    const target = await vscode.window.showSaveDialog({
      title: `Export ${this.watch.series.size} field(s) of ${this.info.uri} as CSV`,
      defaultUri: vscode.Uri.joinPath(base, `${shortUri(this.info.uri).replace(/[^\w.-]+/g, '_')}-${stamp}.csv`),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
    void vscode.window.showInformationMessage(`Exported the watch of ${this.info.uri} to ${vscode.workspace.asRelativePath(target)}.`);
    return { type: 'exported', path: target.fsPath };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.batcher.clear();
    for (const d of this.disposers.splice(0)) d();
    this.host.dispose();
    this.panel.dispose();
  }
}

function lastTime(watch: ResourceWatch): number {
  let t = 0;
  for (const s of watch.series.values()) t = Math.max(t, s.last()?.t ?? 0);
  return t || Date.now();
}

function shortUri(uri: string): string {
  const tail = uri.replace(/^[a-z][\w+.-]*:\/\//i, '');
  return tail.length > 48 ? `…${tail.slice(-47)}` : tail;
}
