// The host end of every webview (tool invoker, event timeline, conformance report): one class owns the
// `ready` handshake, what happens to messages posted before it, the check of every incoming message (the
// webview renders device data and is not trusted), answers to requests, and the disposal of its listener.
// Pure (no vscode import): a fake webview drives it in test/unit/webview-host.test.ts.
import type { Logger } from '../../core/util/logger.js';
import type { Checked } from './message-guards.js';

export interface Disposable {
  dispose(): void;
}

/** The part of vscode.Webview the host uses. */
export interface WebviewEndpoint {
  postMessage(message: unknown): PromiseLike<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => unknown): Disposable;
}

/**
 * Before the page says `ready`:
 * - 'restore': nothing is kept; on each `ready` (first load, and every reload of a page that is not retained
 *   while hidden) `onReady` sends the whole state again;
 * - 'queue': messages wait (bounded) and are delivered in order after `onReady`.
 */
export type BeforeReady = 'restore' | 'queue';

export type ReadyMessage = { type: 'ready' };

export interface WebviewHostOptions<In extends { type: string }, Out> {
  /** Names the view in the log. */
  label: string;
  webview: WebviewEndpoint;
  check: (raw: unknown) => Checked<In>;
  /** Every checked message but `ready`; a returned message is the answer, posted back. */
  handle: (message: Exclude<In, ReadyMessage>) => Out | void | Promise<Out | void>;
  onReady?: () => void | Promise<void>;
  beforeReady: BeforeReady;
  log: Logger;
}

/** A page that never says ready must not grow the queue without bound. */
export const MAX_QUEUED_MESSAGES = 10_000;

export class WebviewHost<In extends { type: string }, Out> implements Disposable {
  private ready = false;
  private disposed = false;
  private queue: Out[] = [];
  private droppedWhileQueued = 0;
  private readonly subscription: Disposable;

  constructor(private readonly options: WebviewHostOptions<In, Out>) {
    this.subscription = options.webview.onDidReceiveMessage((raw) => this.receive(raw));
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Posts now when the page is ready; else queues it or leaves it to the next restore (see BeforeReady). */
  post(message: Out): void {
    if (this.disposed) return;
    if (this.ready) {
      void this.options.webview.postMessage(message);
      return;
    }
    if (this.options.beforeReady === 'restore') return;
    if (this.queue.length >= MAX_QUEUED_MESSAGES) {
      this.queue.shift();
      if (this.droppedWhileQueued++ === 0) this.options.log.warn(`${this.options.label}: the page is not ready; dropping the oldest queued messages`);
    }
    this.queue.push(message);
  }

  /** The page went away (a view that is not retained was hidden): post nothing until it says ready again. */
  unready(): void {
    this.ready = false;
  }

  private receive(raw: unknown): void {
    if (this.disposed) return;
    const checked = this.options.check(raw);
    if (!checked.ok) {
      this.options.log.warn(`${this.options.label}: ignored a malformed message from the webview: ${checked.reason}`);
      return;
    }
    const { message } = checked;
    void this.dispatch(message).catch((e) => this.options.log.error(`${this.options.label}: ${message.type} failed`, e));
  }

  private async dispatch(message: In): Promise<void> {
    if (message.type === 'ready') {
      this.ready = true;
      await this.options.onReady?.();
      for (const queued of this.queue.splice(0)) void this.options.webview.postMessage(queued);
      return;
    }
    const answer = await this.options.handle(message as Exclude<In, ReadyMessage>);
    if (answer !== undefined) this.post(answer);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.queue = [];
    this.subscription.dispose();
  }
}
