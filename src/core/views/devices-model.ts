// What the Devices tree shows of one broker's registry, and when it must be redrawn. Registry events arrive
// batched already; here they are coalesced again into at most one refresh per window, and each refresh names
// the narrowest parts that changed: server rows whose state changed, folders whose children changed, the
// broker row when its online count did. A thousand devices going on and offline per second thus costs a few
// row refreshes per window, never a rebuild of the tree. Pure, so the churn test runs it against a real broker
// without an editor.
import type { DiscoveryRegistry } from '../discovery/registry.js';
import { searchOf, type DeviceQuery } from '../discovery/search.js';
import { lowerBound } from '../util/sorted.js';
import { NameTree, type FolderListing } from './name-tree.js';

export interface TreeRefresh {
  /** Folders whose children changed, by prefix ('' = the broker row's children); none below another listed. */
  folders: string[];
  /** Names whose rows changed (online state, description) but stayed in the tree. */
  servers: string[];
  /** The broker row's own text (its online count) changed. */
  broker: boolean;
}

export interface DevicesModelOptions {
  /** At most one refresh per this many milliseconds. */
  windowMs?: number;
  /** The broker row's online count is redrawn at most this often: redrawing it redraws everything under it. */
  brokerRowMs?: number;
}

export class DevicesModel {
  private names: NameTree;
  private query: DeviceQuery | undefined;
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(refresh: TreeRefresh) => void>();
  private readonly stopWatching: () => void;
  private onlineShown: number;
  private brokerRowAt = 0;
  private readonly windowMs: number;
  private readonly brokerRowMs: number;
  /** Refreshes handed out so far. */
  refreshes = 0;

  constructor(
    readonly registry: DiscoveryRegistry,
    options: DevicesModelOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 150;
    this.brokerRowMs = options.brokerRowMs ?? 1_000;
    this.names = new NameTree(registry.sortedNames());
    this.onlineShown = registry.onlineCount;
    this.stopWatching = registry.onDidChange(({ names }) => {
      for (const n of names) this.pending.add(n);
      this.arm(this.windowMs);
    });
  }

  /** The folder structure of the names shown now (all of them, or those the filter matches). */
  get tree(): NameTree {
    return this.names;
  }

  get filter(): DeviceQuery | undefined {
    return this.query;
  }

  /** Limits the tree to the names a query matches (undefined: every name); the next refresh redraws it all. */
  setFilter(query: DeviceQuery | undefined): void {
    this.query = query && (query.filter || query.text) ? query : undefined;
    this.names = new NameTree(this.visibleNames());
    this.emit({ folders: [''], servers: [], broker: true });
  }

  /** Registry changes (or a broker-row count) not yet handed out. */
  get hasPending(): boolean {
    return this.timer !== undefined || this.pending.size > 0;
  }

  onRefresh(listener: (refresh: TreeRefresh) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies pending registry changes now (tests; the timer does it otherwise). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const changed = [...this.pending];
    this.pending = new Set();
    const old = this.names;
    const names = this.visibleNames();
    const structural = changed.filter((n) => contains(old.names, n) !== contains(names, n));
    const folders = structural.length ? this.restructure(names, structural) : [];
    const moved = new Set(structural);
    const servers = changed.filter((n) => !moved.has(n) && contains(names, n));
    const online = this.registry.onlineCount;
    const now = Date.now();
    let broker = false;
    if (online !== this.onlineShown) {
      if (now - this.brokerRowAt >= this.brokerRowMs) {
        broker = true;
        this.onlineShown = online;
        this.brokerRowAt = now;
      } else {
        // Drawn later, so the last count shown is the true one.
        this.arm(this.brokerRowMs - (now - this.brokerRowAt));
      }
    }
    if (folders.length || servers.length || broker) this.emit({ folders, servers, broker });
  }

  private restructure(names: readonly string[], structural: string[]): string[] {
    const { tree, stale } = this.names.next(names, structural);
    const previous = this.names;
    this.names = tree;
    // Only folders whose children really differ are redrawn, and none under one that is.
    const differ: string[] = [];
    for (const prefix of stale) {
      const before = previous.listing(prefix);
      if (sameListing(before, tree.listing(prefix))) tree.keep(prefix, before);
      else differ.push(prefix);
    }
    differ.sort();
    return differ.filter((prefix, i) => !differ.slice(0, i).some((p) => prefix.startsWith(p)));
  }

  private visibleNames(): readonly string[] {
    return this.query ? searchOf(this.registry).find(this.query).names : this.registry.sortedNames();
  }

  private arm(ms: number): void {
    if (!this.timer) this.timer = setTimeout(() => this.flush(), ms);
  }

  private emit(refresh: TreeRefresh): void {
    this.refreshes++;
    for (const l of this.listeners) l(refresh);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopWatching();
    this.listeners.clear();
  }
}

function contains(sorted: readonly string[], name: string): boolean {
  return sorted[lowerBound(sorted, name)] === name;
}

function sameListing(a: FolderListing, b: FolderListing): boolean {
  return (
    a.servers.length === b.servers.length &&
    a.folders.length === b.folders.length &&
    a.servers.every((s, i) => s === b.servers[i]) &&
    a.folders.every((f, i) => f.prefix === b.folders[i]?.prefix && f.label === b.folders[i]?.label)
  );
}
