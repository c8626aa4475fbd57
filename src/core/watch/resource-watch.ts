// Watching one resource of one server over time: resources/subscribe when the server advertises it (the
// device then sends notifications/resources/updated, which names only the URI, so each update is followed
// by a read), otherwise polling at an interval the user chose. Values become bounded per-field series.
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServerSession } from '../client/session.js';
import { fieldsOfResult, type SampleFields } from './numeric-fields.js';
import { Series } from './series.js';

export type WatchMode = 'subscribe' | 'poll';

export interface ResourceWatchOptions {
  uri: string;
  /** 'auto' (default): subscribe when the server advertises `resources.subscribe`, else poll. */
  mode?: 'auto' | WatchMode;
  /** Polling interval (default 2 s, at least 100 ms). */
  pollIntervalMs?: number;
  /** Samples kept per field (default 1,000): memory stays bounded however long the watch runs. */
  maxSamples?: number;
  now?: () => number;
}

export interface WatchSample {
  t: number;
  fields?: SampleFields;
  /** Why this read failed; the watch goes on. */
  error?: string;
}

export interface WatchEnd {
  reason: 'stopped' | 'session-closed';
  message?: string;
}

export const DEFAULT_POLL_INTERVAL_MS = 2000;
const DEFAULT_MAX_SAMPLES = 1000;
const MAX_SERIES = 64;

/** Per SDK client, the watches by URI: the SDK allows one handler per notification method. */
const watchesByClient = new WeakMap<Client, Map<string, Set<ResourceWatch>>>();

function routeUpdates(client: Client): Map<string, Set<ResourceWatch>> {
  let byUri = watchesByClient.get(client);
  if (!byUri) {
    const routes = new Map<string, Set<ResourceWatch>>();
    byUri = routes;
    watchesByClient.set(client, routes);
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => {
      for (const watch of routes.get(n.params.uri) ?? []) watch.updated();
    });
  }
  return byUri;
}

export class ResourceWatch {
  readonly series = new Map<string, Series>();
  /** The latest non-numeric fields, for a table beside the plot. */
  readonly texts = new Map<string, string>();
  latest: WatchSample | undefined;
  samples = 0;
  ended: WatchEnd | undefined;

  private readonly sampleListeners = new Set<(s: WatchSample) => void>();
  private readonly endListeners = new Set<(e: WatchEnd) => void>();
  private readonly now: () => number;
  private readonly maxSamples: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading = false;
  private readAgain = false;
  private disposers: (() => void)[] = [];

  private constructor(
    private readonly session: ServerSession,
    readonly uri: string,
    readonly mode: WatchMode,
    readonly pollIntervalMs: number,
    options: ResourceWatchOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  }

  static async start(session: ServerSession, options: ResourceWatchOptions): Promise<ResourceWatch> {
    const canSubscribe = session.capabilities?.resources?.subscribe === true;
    const requested = options.mode ?? 'auto';
    if (requested === 'subscribe' && !canSubscribe) {
      throw new Error(`${session.serverName} does not advertise resources.subscribe: watch ${options.uri} by polling instead`);
    }
    const mode: WatchMode = requested === 'auto' ? (canSubscribe ? 'subscribe' : 'poll') : requested;
    const interval = Math.max(100, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    const watch = new ResourceWatch(session, options.uri, mode, interval, options);
    await watch.begin();
    return watch;
  }

  get serverName(): string {
    return this.session.serverName;
  }

  /** True while a poll timer runs. */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  onSample(listener: (s: WatchSample) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  onEnd(listener: (e: WatchEnd) => void): () => void {
    if (this.ended) {
      listener(this.ended);
      return () => undefined;
    }
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Stops watching; a subscription is ended on the device too (resources/unsubscribe), best effort. */
  async stop(): Promise<void> {
    if (this.ended) return;
    const subscribed = this.mode === 'subscribe' && !this.session.closed;
    this.end({ reason: 'stopped' });
    if (subscribed) await this.session.unsubscribeResource(this.uri).catch(() => undefined);
  }

  /** Called for notifications/resources/updated of this URI. */
  updated(): void {
    if (!this.ended) void this.read();
  }

  private async begin(): Promise<void> {
    this.disposers.push(this.session.onClose((reason) => this.end({ reason: 'session-closed', message: reason })));
    if (this.mode === 'subscribe') {
      const routes = routeUpdates(this.session.client);
      const set = routes.get(this.uri) ?? new Set<ResourceWatch>();
      routes.set(this.uri, set);
      set.add(this);
      this.disposers.push(() => {
        set.delete(this);
        if (!set.size) routes.delete(this.uri);
      });
      try {
        await this.session.subscribeResource(this.uri);
      } catch (e) {
        this.end({ reason: 'stopped', message: (e as Error).message });
        throw new Error(`${this.session.serverName} refused resources/subscribe for ${this.uri}: ${(e as Error).message}`, { cause: e });
      }
    } else {
      this.timer = setInterval(() => void this.read(), this.pollIntervalMs);
      this.timer.unref?.();
    }
    await this.read();
  }

  /** One resources/read; a read requested while one is in flight runs once after it (updates coalesce). */
  private async read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        let sample: WatchSample;
        try {
          const result = await this.session.readResource(this.uri);
          sample = { t: this.now(), fields: fieldsOfResult(result) };
        } catch (e) {
          sample = { t: this.now(), error: (e as Error).message };
        }
        if (this.ended) return;
        this.record(sample);
      } while (this.readAgain && !this.ended);
    } finally {
      this.reading = false;
    }
  }

  private record(sample: WatchSample): void {
    this.samples++;
    this.latest = sample;
    if (sample.error || !sample.fields) {
      for (const s of this.series.values()) s.gap(sample.t);
    } else {
      for (const [name, value] of sample.fields.numbers) {
        let s = this.series.get(name);
        if (!s) {
          if (this.series.size >= MAX_SERIES) continue;
          s = new Series(this.maxSamples);
          this.series.set(name, s);
        }
        s.push(sample.t, value);
      }
      this.texts.clear();
      for (const [name, text] of sample.fields.texts) this.texts.set(name, text);
    }
    for (const l of this.sampleListeners) l(sample);
  }

  private end(end: WatchEnd): void {
    if (this.ended) return;
    this.ended = end;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const t = this.now();
    for (const s of this.series.values()) s.gap(t);
    for (const d of this.disposers.splice(0)) d();
    // Every listener hears the end even if one throws (the panel and the tree listen separately); the first
    // failure is rethrown once all have run.
    let failure: unknown;
    for (const l of this.endListeners) {
      try {
        l(end);
      } catch (e) {
        failure ??= e;
      }
    }
    this.endListeners.clear();
    this.sampleListeners.clear();
    if (failure !== undefined) throw failure;
  }
}

/** Samples as CSV: one row per timestamp, one column per numeric field (empty where a field had no value). */
export function watchToCsv(watch: ResourceWatch): string {
  const names = [...watch.series.keys()];
  const rows = new Map<number, (number | undefined)[]>();
  names.forEach((name, col) => {
    for (const p of watch.series.get(name)!.points()) {
      if (Number.isNaN(p.v)) continue;
      const row = rows.get(p.t) ?? new Array<number | undefined>(names.length);
      row[col] = p.v;
      rows.set(p.t, row);
    }
  });
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['time', ...names].map(quote).join(',')];
  for (const t of [...rows.keys()].sort((a, b) => a - b)) {
    lines.push([new Date(t).toISOString(), ...rows.get(t)!.map((v) => (v === undefined ? '' : String(v)))].join(','));
  }
  return `${lines.join('\n')}\n`;
}
