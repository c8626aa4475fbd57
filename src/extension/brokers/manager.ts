// The brokers the user works with, each with its MCP client (discovery + sessions) and connection state.
// Everything else in the extension (tree, commands, webviews, agent provider) asks this class for clients.
import * as vscode from 'vscode';
import type { McpMqttClient } from '../../core/client/mcp-client.js';
import type { CatalogCache } from '../../core/client/catalog.js';
import type { ConnectionState } from '../../core/mqtt/connection.js';
import type { BrokerConfig } from '../../core/mqtt/options.js';
import type { EventLog } from '../../core/events/event-log.js';
import type { Logger } from '../../core/util/logger.js';
import { errorMessage } from '../../core/util/logger.js';
import type { DeviceRequestHandlers } from '../../core/client/device-requests.js';
import { type BrokerSettings, type ConfiguredBroker, label, readBrokers } from './config.js';
import { affects, setting } from '../settings.js';
import type { BrokerSecrets } from './secrets.js';
import { loadCore } from '../core-loader.js';

export type BrokerState = 'disconnected' | ConnectionState;

export interface BrokerEntry {
  id: string;
  label: string;
  settings: BrokerSettings;
  scope: 'user' | 'workspace' | 'local';
  state: BrokerState;
  reason?: string;
  client?: McpMqttClient;
  catalogs?: CatalogCache;
}

export const LOCAL_BROKER_ID = 'local';

export class BrokerManager implements vscode.Disposable {
  private readonly entries = new Map<string, BrokerEntry>();
  private readonly changeEmitter = new vscode.EventEmitter<BrokerEntry | undefined>();
  private readonly serversEmitter = new vscode.EventEmitter<{ broker: BrokerEntry; names: string[] }>();
  private readonly catalogEmitter = new vscode.EventEmitter<{ broker: BrokerEntry; serverName: string }>();
  private readonly disposables: vscode.Disposable[] = [];
  private localStop: (() => Promise<void>) | undefined;

  /** A broker was added, removed, or changed connection state (undefined: the list changed). */
  readonly onDidChangeBroker = this.changeEmitter.event;
  /** Discovery changed the listed servers of a broker (batched). */
  readonly onDidChangeServers = this.serversEmitter.event;
  /** A server's tools/resources/prompts became stale (list_changed, session ended). */
  readonly onDidInvalidateCatalog = this.catalogEmitter.event;

  constructor(
    private readonly secrets: BrokerSecrets,
    readonly events: EventLog,
    private readonly log: Logger,
    /** What this broker's sessions answer when a device asks (elicitation, sampling, roots), behind consent. */
    private readonly deviceRequests?: (broker: { id: string; label: string }) => DeviceRequestHandlers,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'brokers')) void this.reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.autoConnect()),
    );
  }

  list(): BrokerEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): BrokerEntry | undefined {
    return this.entries.get(id);
  }

  connected(): BrokerEntry[] {
    return this.list().filter((b) => b.state === 'connected' && b.client);
  }

  /** Reads the settings, keeping clients of unchanged brokers and dropping removed ones. */
  async reload(): Promise<void> {
    const { brokers, problems } = readBrokers();
    for (const p of problems) this.log.warn(`settings: ${p}`);
    const wanted = new Map(brokers.map((b) => [b.id, b]));
    for (const [id, entry] of this.entries) {
      if (entry.scope === 'local') continue;
      const next = wanted.get(id);
      if (!next || JSON.stringify(next) !== JSON.stringify({ ...entry.settings, scope: entry.scope })) {
        await this.disconnect(id);
        this.entries.delete(id);
      }
    }
    for (const b of brokers) {
      if (!this.entries.has(b.id)) this.entries.set(b.id, this.entryFor(b));
    }
    this.changeEmitter.fire(undefined);
  }

  private entryFor(b: ConfiguredBroker): BrokerEntry {
    const { scope, ...settings } = b;
    return { id: b.id, label: label(b), settings, scope, state: 'disconnected' };
  }

  /** Connects the brokers marked autoConnect; workspace-defined ones only in a trusted workspace. */
  async autoConnect(): Promise<void> {
    const candidates = this.list().filter((b) => b.state === 'disconnected' && b.settings.autoConnect !== false);
    await Promise.all(
      candidates.map(async (b) => {
        if (b.scope === 'workspace' && !vscode.workspace.isTrusted) {
          this.log.info(`not auto-connecting ${b.label}: it comes from workspace settings and the workspace is not trusted`);
          return;
        }
        await this.connect(b.id).catch(() => undefined);
      }),
    );
  }

  async connect(id: string): Promise<McpMqttClient> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`unknown broker "${id}"`);
    if (entry.client && entry.state !== 'failed' && entry.state !== 'closed') return entry.client;
    if (entry.client) await this.disconnect(id);
    const s = entry.settings;
    // Loaded on first connect, not at activation: the MCP SDK and MQTT.js are most of the bundle's start-up cost.
    const { client: { McpMqttClient }, catalog: { CatalogCache } } = loadCore();
    const client = new McpMqttClient({
      broker: await this.brokerConfig(id),
      brokerLabel: entry.label,
      clientIdPrefix: s.clientIdPrefix || 'vscode-mqtt-mcp-',
      serverNameFilters: s.serverNameFilters?.length ? s.serverNameFilters : undefined,
      timeouts: {
        pingMs: setting('timeouts.pingMs'),
        listMs: setting('timeouts.listMs'),
        initializeMs: setting('timeouts.listMs'),
        callMs: setting('timeouts.callMs'),
      },
      maxPayloadBytes: setting('maxPayloadBytes'),
      legacyTopics: setting('legacyTopics'),
      events: this.events.sink,
      logger: this.log,
      deviceRequests: this.deviceRequests?.(entry),
    });
    entry.client = client;
    entry.catalogs = new CatalogCache(client, { listTimeoutMs: () => setting('catalog.listTimeoutMs') });
    entry.catalogs.onDidInvalidate((serverName) => this.catalogEmitter.fire({ broker: entry, serverName }));
    client.on('state', (state: ConnectionState, reason?: string) => {
      if (entry.client !== client) return;
      entry.state = state;
      entry.reason = state === 'connected' ? undefined : reason;
      this.changeEmitter.fire(entry);
    });
    client.registry.onDidChange((change) => this.serversEmitter.fire({ broker: entry, names: change.names }));
    entry.state = 'connecting';
    this.changeEmitter.fire(entry);
    try {
      await client.connect();
      this.log.info(`connected to ${entry.label} as ${client.clientId}; ${client.registry.onlineCount} server(s) online`);
      this.serversEmitter.fire({ broker: entry, names: client.registry.servers().map((s) => s.name) });
    } catch (e) {
      entry.reason = errorMessage(e);
      this.log.error(`connecting to ${entry.label} failed`, e);
      this.changeEmitter.fire(entry);
      throw e;
    }
    return client;
  }

  /** How to reach a broker, with its secrets read from SecretStorage (for a connection of another kind, e.g. the checker). */
  async brokerConfig(id: string): Promise<BrokerConfig> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`unknown broker "${id}"`);
    const [password, passphrase] = await Promise.all([this.secrets.get(id, 'password'), this.secrets.get(id, 'passphrase')]);
    const s = entry.settings;
    return { url: s.url, username: s.username, password, tls: s.tls || passphrase ? { ...s.tls, passphrase } : undefined };
  }

  async disconnect(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry?.client) return;
    const client = entry.client;
    entry.client = undefined;
    entry.catalogs = undefined;
    entry.state = 'disconnected';
    entry.reason = undefined;
    this.changeEmitter.fire(entry);
    await client.close().catch((e) => this.log.warn(`closing ${entry.label}: ${errorMessage(e)}`));
  }

  /** Adds the in-process demo broker (not saved in settings) and connects to it. */
  async addLocal(url: string, stop: () => Promise<void>): Promise<BrokerEntry> {
    await this.removeLocal();
    const entry: BrokerEntry = { id: LOCAL_BROKER_ID, label: 'Local broker (demo)', settings: { id: LOCAL_BROKER_ID, url }, scope: 'local', state: 'disconnected' };
    this.entries.set(LOCAL_BROKER_ID, entry);
    this.localStop = stop;
    this.changeEmitter.fire(undefined);
    await this.connect(LOCAL_BROKER_ID);
    return entry;
  }

  async removeLocal(): Promise<void> {
    if (!this.entries.has(LOCAL_BROKER_ID)) return;
    await this.disconnect(LOCAL_BROKER_ID);
    this.entries.delete(LOCAL_BROKER_ID);
    const stop = this.localStop;
    this.localStop = undefined;
    this.changeEmitter.fire(undefined);
    await stop?.();
  }

  hasLocal(): boolean {
    return this.entries.has(LOCAL_BROKER_ID);
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) d.dispose();
    await Promise.all(this.list().map((b) => this.disconnect(b.id)));
    await this.localStop?.();
    this.changeEmitter.dispose();
    this.serversEmitter.dispose();
    this.catalogEmitter.dispose();
  }
}
