// One initialized MCP session with one server instance: the SDK `Client` on an MQTT transport, with the
// spec's timeouts per method and the list calls paginated to completion.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type {
  CallToolResult,
  GetPromptResult,
  Implementation,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
// `zod/v4` as a namespace, which the SDK uses too: esbuild shakes it to what is used, whereas `{ z } from 'zod'`
// keeps the whole namespace, every locale included (~400 KB of the extension's core bundle).
import * as z from 'zod/v4';
import { MqttClientTransport } from '../transport/client-transport.js';

const AnyResultSchema = z.unknown();

export interface Timeouts {
  pingMs: number;
  listMs: number;
  callMs: number;
  initializeMs: number;
}

/** Spec "Timeouts": 10 s ping, 30 s initialize and lists/reads, 60 s tools/call. */
export const DEFAULT_TIMEOUTS: Timeouts = { pingMs: 10_000, listMs: 30_000, callMs: 60_000, initializeMs: 30_000 };

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export class ServerSession {
  private readonly closeListeners = new Set<(reason: string | undefined) => void>();

  constructor(
    readonly client: Client,
    readonly transport: MqttClientTransport,
    readonly serverName: string,
    readonly serverId: string,
    private readonly timeouts: Timeouts,
  ) {
    client.onclose = () => {
      for (const l of this.closeListeners) l(transport.closeReason);
    };
  }

  get closed(): boolean {
    return this.transport.closed;
  }
  get closeReason(): string | undefined {
    return this.transport.closeReason;
  }
  get serverInfo(): Implementation | undefined {
    return this.client.getServerVersion();
  }
  get capabilities(): ServerCapabilities | undefined {
    return this.client.getServerCapabilities();
  }
  get instructions(): string | undefined {
    return this.client.getInstructions();
  }

  onClose(listener: (reason: string | undefined) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private options(timeout: number, extra?: CallOptions): RequestOptions {
    const o: RequestOptions = { timeout: extra?.timeoutMs ?? timeout };
    if (extra?.signal) o.signal = extra.signal;
    if (extra?.onprogress) {
      o.onprogress = extra.onprogress;
      // Progress notifications from a slow device prove it is alive: keep waiting while they come.
      o.resetTimeoutOnProgress = true;
    }
    return o;
  }

  /**
   * Spec §5.5: a server that does not answer a ping in time is gone for this client. The session is
   * de-initialized (notifications/disconnected on the RPC topic) rather than the shared connection dropped,
   * since other sessions on it are unaffected; the next use initializes again.
   */
  async ping(options?: CallOptions): Promise<void> {
    try {
      await this.client.ping(this.options(this.timeouts.pingMs, options));
    } catch (e) {
      if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) await this.close().catch(() => undefined);
      throw e;
    }
  }

  async listTools(options?: CallOptions): Promise<Tool[]> {
    if (!this.capabilities?.tools) return [];
    return this.paginate((cursor) => this.client.listTools(cursor ? { cursor } : undefined, this.options(this.timeouts.listMs, options)), (r) => r.tools);
  }

  async listResources(options?: CallOptions): Promise<Resource[]> {
    if (!this.capabilities?.resources) return [];
    return this.paginate((cursor) => this.client.listResources(cursor ? { cursor } : undefined, this.options(this.timeouts.listMs, options)), (r) => r.resources);
  }

  async listResourceTemplates(options?: CallOptions): Promise<ResourceTemplate[]> {
    if (!this.capabilities?.resources) return [];
    return this.paginate(
      (cursor) => this.client.listResourceTemplates(cursor ? { cursor } : undefined, this.options(this.timeouts.listMs, options)),
      (r) => r.resourceTemplates,
    );
  }

  async listPrompts(options?: CallOptions): Promise<Prompt[]> {
    if (!this.capabilities?.prompts) return [];
    return this.paginate((cursor) => this.client.listPrompts(cursor ? { cursor } : undefined, this.options(this.timeouts.listMs, options)), (r) => r.prompts);
  }

  /**
   * One page of a list method, its result unvalidated (list-results.ts reads it leniently). Timeout: the
   * spec's list timeout unless given.
   */
  async listPage(method: string, cursor?: string, timeoutMs?: number): Promise<unknown> {
    const request = cursor ? { method, params: { cursor } } : { method };
    return this.client.request(request, AnyResultSchema, this.options(timeoutMs ?? this.timeouts.listMs));
  }

  async callTool(name: string, args: Record<string, unknown> = {}, options?: CallOptions): Promise<CallToolResult> {
    return (await this.client.callTool({ name, arguments: args }, undefined, this.options(this.timeouts.callMs, options))) as CallToolResult;
  }

  async readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.client.readResource({ uri }, this.options(this.timeouts.listMs, options));
  }

  async getPrompt(name: string, args: Record<string, string> = {}, options?: CallOptions): Promise<GetPromptResult> {
    return this.client.getPrompt({ name, arguments: args }, this.options(this.timeouts.listMs, options));
  }

  async subscribeResource(uri: string, options?: CallOptions): Promise<void> {
    await this.client.subscribeResource({ uri }, this.options(this.timeouts.listMs, options));
  }

  async unsubscribeResource(uri: string, options?: CallOptions): Promise<void> {
    await this.client.unsubscribeResource({ uri }, this.options(this.timeouts.listMs, options));
  }

  /** De-initializes (spec §5.6) and closes the SDK client. */
  async close(): Promise<void> {
    await this.client.close();
  }

  private async paginate<R extends { nextCursor?: string }, T>(fetch: (cursor?: string) => Promise<R>, items: (r: R) => T[]): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await fetch(cursor);
      out.push(...items(page));
      cursor = page.nextCursor;
      // A device that repeats a cursor would otherwise loop forever.
      if (cursor !== undefined) {
        if (seen.has(cursor)) throw new Error(`${this.serverName} repeated pagination cursor "${cursor}"`);
        seen.add(cursor);
      }
    } while (cursor);
    return out;
  }
}
