// What a client knows about the servers on one broker, from retained presence alone: server-name →
// instances. A name stays listed (offline) after its last instance leaves, so views can show it going
// offline instead of vanishing, but only for so long and so many: a long-running client must not keep every
// name it ever saw. Change events are batched: a storm of 10,000 presence messages produces a handful of
// events, not 10,000. Presence in the common shape is kept as its text and parsed when first read.
import { parsePresence, type PresenceInfo, type RbacRole } from '../protocol/presence.js';

export interface ServerInstance {
  readonly serverId: string;
  readonly serverName: string;
  readonly description: string;
  readonly meta: Record<string, unknown>;
  readonly rbacRoles: RbacRole[];
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Set when the presence turned out malformed on first read (the instance then shows no details). */
  readonly presenceProblem?: string;
}

export interface DiscoveredServer {
  name: string;
  /** Online instances, in order of arrival. */
  instances: ServerInstance[];
  online: boolean;
  /** When the name was last seen online (or went offline). */
  lastChange: number;
}

export interface RegistryChange {
  /** Names whose instances or details changed since the last event. */
  names: string[];
}

/** How many offline names are kept, and how long: the oldest go first. */
export interface OfflineRetention {
  maxNames: number;
  maxAgeMs: number;
}
export const DEFAULT_OFFLINE_RETENTION: OfflineRetention = { maxNames: 10_000, maxAgeMs: 60 * 60_000 };

/** Told about presence found malformed when first read, or carrying warnings. */
export type PresenceProblemReporter = (instance: ServerInstance, problem: string, level: 'warn') => void;

const NO_ROLES: RbacRole[] = [];
const EMPTY_INFO: PresenceInfo = Object.freeze({ description: '', meta: Object.freeze({}) as Record<string, unknown>, rbacRoles: NO_ROLES });

class Instance implements ServerInstance {
  private parsed: PresenceInfo | undefined;
  private problem: string | undefined;

  constructor(
    readonly serverId: string,
    readonly serverName: string,
    /** The presence text when deferred; undefined when given parsed. */
    readonly payload: string | undefined,
    parsed: PresenceInfo | undefined,
    /** Milliseconds since the registry's epoch: small integers stay unboxed (16 bytes less each at 100k). */
    private readonly firstSeenOffset: number,
    private lastSeenOffset: number,
    private readonly registry: DiscoveryRegistry,
  ) {
    this.parsed = parsed;
  }

  get firstSeen(): number {
    return this.registry.epoch + this.firstSeenOffset;
  }
  get lastSeen(): number {
    return this.registry.epoch + this.lastSeenOffset;
  }
  seen(now: number): void {
    this.lastSeenOffset = now - this.registry.epoch;
  }

  private get info(): PresenceInfo {
    return (this.parsed ??= this.parseDeferred());
  }
  get description(): string {
    return this.info.description;
  }
  get meta(): Record<string, unknown> {
    return this.info.meta;
  }
  get rbacRoles(): RbacRole[] {
    return this.info.rbacRoles;
  }
  get presenceProblem(): string | undefined {
    void this.info;
    return this.problem;
  }

  private parseDeferred(): PresenceInfo {
    const result = parsePresence(this.payload ?? '', this.serverName);
    if (result.kind === 'online') {
      for (const w of result.warnings) this.registry.reportProblem?.(this, `presence: ${w}`, 'warn');
      return result.info;
    }
    this.problem = result.kind === 'invalid' ? result.reason : 'presence payload is empty';
    this.registry.reportProblem?.(this, this.problem, 'warn');
    return EMPTY_INFO;
  }

  sameDetails(payload: string | undefined, info: PresenceInfo | undefined): boolean {
    if (payload !== undefined && this.payload !== undefined) return payload === this.payload;
    if (!info) return false;
    try {
      return this.description === info.description && JSON.stringify(this.meta) === JSON.stringify(info.meta);
    } catch {
      return false;
    }
  }
}

// An array, not a Map: almost every name has one instance, and at 100,000 names a Map each costs ~100 bytes more.
type Entry = { name: string; instances: Instance[]; lastChangeOffset: number };
const find = (entry: Entry | undefined, serverId: string): Instance | undefined => entry?.instances.find((i) => i.serverId === serverId);

export class DiscoveryRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private changed = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unconfirmed: Set<string> | undefined;
  private names = 0;
  private sorted: { version: number; names: string[] } | undefined;
  /** Offline names, oldest first, with when they went offline. */
  private readonly offlineSince = new Map<string, number>();
  private readonly retention: OfflineRetention;
  /** Set by the owner to hear about presence found malformed when first read. */
  reportProblem: PresenceProblemReporter | undefined;
  /** Times are kept as offsets from this. */
  readonly epoch = Date.now();

  constructor(
    private readonly batchMs = 50,
    retention: Partial<OfflineRetention> = {},
  ) {
    this.retention = { ...DEFAULT_OFFLINE_RETENTION, ...retention };
  }

  /** Records an online instance (from a non-empty presence message). */
  online(serverId: string, serverName: string, info: PresenceInfo, now = Date.now()): void {
    this.upsert(serverId, serverName, undefined, info, now);
  }

  /** Records an online instance from presence text in the common shape, parsed when first read. */
  onlineDeferred(serverId: string, serverName: string, payload: string, now = Date.now()): void {
    this.upsert(serverId, serverName, payload, undefined, now);
  }

  private upsert(serverId: string, serverName: string, payload: string | undefined, info: PresenceInfo | undefined, now: number): void {
    const entry = this.entries.get(serverName);
    if (!entry) {
      // Created holding its instance: an array grown from [] by push reserves room for 16.
      const instance = new Instance(serverId, serverName, payload, info, now - this.epoch, now - this.epoch, this);
      this.entries.set(serverName, { name: serverName, instances: [instance], lastChangeOffset: now - this.epoch });
      this.names++;
      this.unconfirmed?.delete(key(serverId, serverName));
      this.markChanged(serverName);
      return;
    }
    if (entry.instances.length === 0) this.offlineSince.delete(serverName);
    const previous = find(entry, serverId);
    this.unconfirmed?.delete(key(serverId, serverName));
    if (previous && previous.sameDetails(payload, info)) {
      previous.seen(now);
      return;
    }
    const instance = new Instance(serverId, serverName, payload, info, (previous?.firstSeen ?? now) - this.epoch, now - this.epoch, this);
    if (previous) entry.instances[entry.instances.indexOf(previous)] = instance;
    else entry.instances.push(instance);
    entry.lastChangeOffset = now - this.epoch;
    this.markChanged(serverName);
  }

  /** Forgets an instance (empty presence, or the instance ended our session). */
  offline(serverId: string, serverName: string, now = Date.now()): boolean {
    const entry = this.entries.get(serverName);
    const index = entry ? entry.instances.findIndex((i) => i.serverId === serverId) : -1;
    if (!entry || index < 0) return false;
    entry.instances.splice(index, 1);
    entry.lastChangeOffset = now - this.epoch;
    this.markChanged(serverName);
    if (entry.instances.length === 0) {
      this.offlineSince.set(serverName, now);
      this.sweepOffline(now);
    }
    return true;
  }

  /** Forgets offline names past the retention limits (oldest first); called as names go offline. */
  sweepOffline(now = Date.now()): void {
    for (const [name, since] of this.offlineSince) {
      if (this.offlineSince.size <= this.retention.maxNames && now - since < this.retention.maxAgeMs) break;
      this.offlineSince.delete(name);
      if (this.entries.get(name)?.instances.length === 0) {
        this.entries.delete(name);
        this.names++;
        this.markChanged(name);
      }
    }
  }

  get(name: string): DiscoveredServer | undefined {
    const entry = this.entries.get(name);
    return entry && toServer(entry, this.epoch);
  }

  instance(serverName: string, serverId: string): ServerInstance | undefined {
    return find(this.entries.get(serverName), serverId);
  }

  servers(): DiscoveredServer[] {
    return [...this.entries.values()].map((e) => toServer(e, this.epoch)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every known name in code-unit order; sorted again only when a name comes or goes. */
  sortedNames(): readonly string[] {
    if (this.sorted?.version !== this.names) this.sorted = { version: this.names, names: [...this.entries.keys()].sort() };
    return this.sorted.names;
  }

  /** Whether a name has an online instance, without building a snapshot of it. */
  isOnline(name: string): boolean {
    return (this.entries.get(name)?.instances.length ?? 0) > 0;
  }

  /** The online instances of a name, live (do not keep or change): for scans over every name. */
  instancesOf(name: string): readonly ServerInstance[] {
    return this.entries.get(name)?.instances ?? [];
  }

  get onlineCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.instances.length > 0) n++;
    return n;
  }

  /** Changes whenever a name is added or forgotten: views key their folder structure on it. */
  get namesVersion(): number {
    return this.names;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Chooses the instance a new session pins to. The spec leaves the strategy to the client; random spreads
   * clients over load-balanced instances like the Python SDK does.
   */
  pickInstance(serverName: string, random: () => number = Math.random): ServerInstance | undefined {
    const instances = this.entries.get(serverName)?.instances ?? [];
    return instances[Math.floor(random() * instances.length)];
  }

  /** After a reconnect: every instance must be confirmed by retained presence again, or be swept. */
  beginResync(): void {
    this.unconfirmed = new Set();
    for (const e of this.entries.values()) for (const i of e.instances) this.unconfirmed.add(key(i.serverId, e.name));
  }

  /** Ends a resync: instances whose presence did not come back are gone. Returns what was removed. */
  endResync(): { serverId: string; serverName: string }[] {
    const gone = [...(this.unconfirmed ?? [])].map(unkey);
    this.unconfirmed = undefined;
    for (const g of gone) this.offline(g.serverId, g.serverName);
    return gone;
  }

  /** Abandons a resync whose snapshot was incomplete: every instance stays as it was. */
  cancelResync(): void {
    this.unconfirmed = undefined;
  }

  /** Drops names that are offline (the view's "clear offline servers"). */
  forgetOffline(): void {
    for (const [name, entry] of this.entries) {
      if (entry.instances.length === 0) {
        this.entries.delete(name);
        this.names++;
        this.markChanged(name);
      }
    }
    this.offlineSince.clear();
  }

  clear(): void {
    for (const name of this.entries.keys()) this.markChanged(name);
    this.entries.clear();
    this.offlineSince.clear();
    this.names++;
  }

  onDidChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers pending changes now (tests, and before a snapshot is handed out). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.changed.size === 0) return;
    const change = { names: [...this.changed] };
    this.changed = new Set();
    for (const l of this.listeners) l(change);
  }

  private markChanged(name: string): void {
    this.changed.add(name);
    if (!this.timer && this.listeners.size > 0) this.timer = setTimeout(() => this.flush(), this.batchMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }
}

function toServer(entry: Entry, epoch: number): DiscoveredServer {
  const instances: ServerInstance[] = [...entry.instances];
  return { name: entry.name, instances, online: instances.length > 0, lastChange: epoch + entry.lastChangeOffset };
}

// server-ids never contain '/', so the first '/' separates the two parts unambiguously.
const key = (serverId: string, serverName: string): string => `${serverId}/${serverName}`;
function unkey(k: string): { serverId: string; serverName: string } {
  const i = k.indexOf('/');
  return { serverId: k.slice(0, i), serverName: k.slice(i + 1) };
}
