// What a client knows about the servers on one broker, from retained presence alone: server-name →
// instances. A name stays listed (offline) after its last instance leaves, so views can show it going
// offline instead of vanishing. Change events are batched: a storm of 10,000 presence messages produces a
// handful of events, not 10,000.
import type { PresenceInfo, RbacRole } from '../protocol/presence.js';

export interface ServerInstance {
  serverId: string;
  serverName: string;
  description: string;
  meta: Record<string, unknown>;
  rbacRoles: RbacRole[];
  firstSeen: number;
  lastSeen: number;
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

type Entry = { name: string; instances: Map<string, ServerInstance>; lastChange: number };

export class DiscoveryRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private changed = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unconfirmed: Set<string> | undefined;
  private names = 0;

  constructor(private readonly batchMs = 50) {}

  /** Records an online instance (from a non-empty presence message). */
  online(serverId: string, serverName: string, info: PresenceInfo, now = Date.now()): void {
    let entry = this.entries.get(serverName);
    if (!entry) {
      this.entries.set(serverName, (entry = { name: serverName, instances: new Map(), lastChange: now }));
      this.names++;
    }
    const previous = entry.instances.get(serverId);
    this.unconfirmed?.delete(key(serverId, serverName));
    const instance: ServerInstance = {
      serverId,
      serverName,
      description: info.description,
      meta: info.meta,
      rbacRoles: info.rbacRoles,
      firstSeen: previous?.firstSeen ?? now,
      lastSeen: now,
    };
    entry.instances.set(serverId, instance);
    if (!previous || previous.description !== info.description || JSON.stringify(previous.meta) !== JSON.stringify(info.meta)) {
      entry.lastChange = now;
      this.markChanged(serverName);
    }
  }

  /** Forgets an instance (empty presence, or the instance ended our session). */
  offline(serverId: string, serverName: string, now = Date.now()): boolean {
    const entry = this.entries.get(serverName);
    if (!entry || !entry.instances.delete(serverId)) return false;
    entry.lastChange = now;
    this.markChanged(serverName);
    return true;
  }

  get(name: string): DiscoveredServer | undefined {
    const entry = this.entries.get(name);
    return entry && toServer(entry);
  }

  instance(serverName: string, serverId: string): ServerInstance | undefined {
    return this.entries.get(serverName)?.instances.get(serverId);
  }

  servers(): DiscoveredServer[] {
    return [...this.entries.values()].map(toServer).sort((a, b) => a.name.localeCompare(b.name));
  }

  get onlineCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.instances.size > 0) n++;
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
    const instances = [...(this.entries.get(serverName)?.instances.values() ?? [])];
    return instances[Math.floor(random() * instances.length)];
  }

  /** After a reconnect: every instance must be confirmed by retained presence again, or be swept. */
  beginResync(): void {
    this.unconfirmed = new Set();
    for (const e of this.entries.values()) for (const id of e.instances.keys()) this.unconfirmed.add(key(id, e.name));
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
      if (entry.instances.size === 0) {
        this.entries.delete(name);
        this.names++;
        this.markChanged(name);
      }
    }
  }

  clear(): void {
    for (const name of this.entries.keys()) this.markChanged(name);
    this.entries.clear();
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

function toServer(entry: Entry): DiscoveredServer {
  const instances = [...entry.instances.values()];
  return { name: entry.name, instances, online: instances.length > 0, lastChange: entry.lastChange };
}

// server-ids never contain '/', so the first '/' separates the two parts unambiguously.
const key = (serverId: string, serverName: string): string => `${serverId}/${serverName}`;
function unkey(k: string): { serverId: string; serverName: string } {
  const i = k.indexOf('/');
  return { serverId: k.slice(0, i), serverName: k.slice(i + 1) };
}
