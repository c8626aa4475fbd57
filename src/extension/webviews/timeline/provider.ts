// Host side of the event timeline view. The buffer lives here (the EventLog), not in the webview: the view is
// not retained while hidden, and on each `ready` it gets the whole log replayed, then new events in batches.
// An imported JSONL file replaces the live stream until the user goes back to live.
import * as vscode from 'vscode';
import type { EventLog, TimelineEvent } from '../../../core/events/event-log.js';
import type { Logger } from '../../../core/util/logger.js';
import type { TimelineHostMessage, TimelineMeta, TimelineWebviewMessage } from '../../../../webview/shared/protocol.js';
import { checkTimelineMessage } from '../message-guards.js';
import { renderPage, webviewOptions } from '../webview-html.js';
import { type ReadyMessage, WebviewHost } from '../webview-host.js';
import { RowQueue, toRow } from './row-queue.js';

export const TIMELINE_VIEW_ID = 'mqttMcp.timeline';
/** Live events are batched: one message per interval at most, whatever the event rate. */
export const BATCH_INTERVAL_MS = 100;
/** Upper bound of rows per message; a replay or a burst is spread over several messages. */
export const MAX_ROWS_PER_BATCH = 2000;
const REPLAY_INTERVAL_MS = 10;

export interface ImportedLog {
  fileName: string;
  events: TimelineEvent[];
  rejected: number;
}

export class TimelineViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: { webview: vscode.WebviewView; host: WebviewHost<TimelineWebviewMessage, TimelineHostMessage>; subscriptions: vscode.Disposable[] } | undefined;
  private imported: ImportedLog | undefined;
  private readonly queue: RowQueue;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: () => void;
  /** Webview actions the host performs with its own commands (save/open dialogs live in the host). */
  onAction: ((action: 'export' | 'import' | 'clear') => void) | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly events: EventLog,
    private readonly log: Logger,
  ) {
    this.queue = new RowQueue(events.capacity);
    this.unsubscribe = events.onEvent((e) => {
      if (!this.ready || this.imported) return;
      this.queue.push(toRow(e));
      this.schedule(BATCH_INTERVAL_MS);
    });
  }

  private get ready(): boolean {
    return this.view?.host.isReady ?? false;
  }

  get isReady(): boolean {
    return this.ready;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.detach();
    // Not retained while hidden: each `ready` (first load, or shown again) gets the whole log replayed.
    const host = new WebviewHost<TimelineWebviewMessage, TimelineHostMessage>({
      label: 'event timeline',
      webview: view.webview,
      check: checkTimelineMessage,
      handle: (message) => this.handle(message),
      onReady: () => this.replay(),
      beforeReady: 'restore',
      log: this.log,
    });
    const subscriptions = [
      host,
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.stopStreaming();
      }),
      view.onDidDispose(() => {
        if (this.view?.webview === view) this.detach();
      }),
    ];
    this.view = { webview: view, host, subscriptions };
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = renderPage(view.webview, this.extensionUri, { title: 'Event Timeline', script: 'timeline', style: 'timeline' });
  }

  private detach(): void {
    this.stopStreaming();
    for (const d of this.view?.subscriptions ?? []) d.dispose();
    this.view = undefined;
  }

  /** Replaces the live stream with an imported file, until the user goes back to live. */
  showImported(imported: ImportedLog): void {
    this.imported = imported;
    this.replay();
  }

  showLive(): void {
    this.imported = undefined;
    this.replay();
  }

  clear(): void {
    this.events.clear();
    this.showLive();
  }

  /** The log's capacity changed (setting): the webview trims its copy to the new size. */
  capacityChanged(): void {
    this.replay();
  }

  private meta(): TimelineMeta {
    if (this.imported) {
      const { fileName, events, rejected } = this.imported;
      return { evicted: 0, capacity: Math.max(1, events.length), imported: { fileName, events: events.length, rejected } };
    }
    return { evicted: this.events.evicted, capacity: this.events.capacity };
  }

  private post(message: TimelineHostMessage): void {
    this.view?.host.post(message);
  }

  private replay(): void {
    if (!this.ready) return;
    const meta = this.meta();
    this.queue.clear();
    this.queue.setCapacity(meta.capacity);
    this.post({ type: 'reset', meta });
    this.queue.pushAll((this.imported?.events ?? this.events.snapshot()).map(toRow));
    this.flush();
  }

  private schedule(delay: number): void {
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.ready || this.queue.size === 0) return;
    this.post({ type: 'append', rows: this.queue.take(MAX_ROWS_PER_BATCH), meta: this.meta() });
    if (this.queue.size > 0) this.schedule(REPLAY_INTERVAL_MS);
  }

  private stopStreaming(): void {
    this.view?.host.unready();
    this.queue.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private handle(message: Exclude<TimelineWebviewMessage, ReadyMessage>): TimelineHostMessage | void {
    switch (message.type) {
      case 'detail': {
        // The live log builds the one event asked for; an imported file is searched.
        const event = this.imported ? findBySeq(this.imported.events, message.seq) : this.events.get(message.seq);
        return { type: 'detail', seq: message.seq, event };
      }
      case 'showLive':
        this.showLive();
        return;
      case 'clear':
      case 'export':
      case 'import':
        this.onAction?.(message.type);
        return;
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.detach();
  }
}

/** An exported log is in seq order (binary search); a hand-edited file may not be. */
function findBySeq(events: readonly TimelineEvent[], seq: number): TimelineEvent | undefined {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = events[mid] as TimelineEvent;
    if (at.seq === seq) return at;
    if (at.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return events.find((e) => e.seq === seq);
}
