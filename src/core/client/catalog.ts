// What a server offers (tools, resources, templates, prompts), fetched once per session and refetched when
// the server says a list changed. Views and the gateway read it instead of listing on every render.
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { fetchLists, type CatalogProblem } from './catalog-lists.js';
import type { McpMqttClient } from './mcp-client.js';
import type { ServerSession } from './session.js';

export interface ServerCatalog {
  serverName: string;
  serverId: string;
  serverInfo?: { name: string; version: string; title?: string };
  instructions?: string;
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
  /** Lists that failed or came back partly (each failing list is empty or holds its valid items). */
  problems: CatalogProblem[];
  fetchedAt: number;
}

export interface CatalogCacheOptions {
  /** Per-page timeout of the optional lists (resources, templates, prompts); read on each fetch. */
  listTimeoutMs?: number | (() => number | undefined);
}

export class CatalogCache {
  private readonly cache = new Map<string, Promise<ServerCatalog>>();
  private readonly listeners = new Set<(serverName: string) => void>();
  private readonly hooked = new WeakSet<ServerSession>();

  constructor(
    private readonly client: McpMqttClient,
    private readonly options: CatalogCacheOptions = {},
  ) {}

  /**
   * The catalog of a server, opening a session the first time. A list that fails does not fail the catalog
   * (see `problems`); only a session that cannot be opened does, and that is not cached.
   */
  get(serverName: string): Promise<ServerCatalog> {
    const cached = this.cache.get(serverName);
    if (cached) return cached;
    const fetching = this.fetch(serverName);
    this.cache.set(serverName, fetching);
    fetching.catch(() => this.cache.get(serverName) === fetching && this.cache.delete(serverName));
    return fetching;
  }

  /** The catalog if it has been fetched already; never starts a session. */
  async peek(serverName: string): Promise<ServerCatalog | undefined> {
    const cached = this.cache.get(serverName);
    return cached ? cached.catch(() => undefined) : undefined;
  }

  has(serverName: string): boolean {
    return this.cache.has(serverName);
  }

  invalidate(serverName: string): void {
    if (this.cache.delete(serverName)) for (const l of this.listeners) l(serverName);
  }

  /** Fired when a cached catalog became stale (list_changed, session ended). */
  onDidInvalidate(listener: (serverName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async fetch(serverName: string): Promise<ServerCatalog> {
    const session = await this.client.session(serverName);
    this.hook(session);
    const timeout = this.options.listTimeoutMs;
    const { tools, resources, resourceTemplates, prompts, problems } = await fetchLists(session, {
      listTimeoutMs: typeof timeout === 'function' ? timeout() : timeout,
    });
    return {
      serverName,
      serverId: session.serverId,
      serverInfo: session.serverInfo,
      instructions: session.instructions,
      tools,
      resources,
      resourceTemplates,
      prompts,
      problems,
      fetchedAt: Date.now(),
    };
  }

  private hook(session: ServerSession): void {
    if (this.hooked.has(session)) return;
    this.hooked.add(session);
    const stale = (): void => this.invalidate(session.serverName);
    session.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => stale());
    session.client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => stale());
    session.client.setNotificationHandler(PromptListChangedNotificationSchema, async () => stale());
    session.onClose(stale);
  }
}
