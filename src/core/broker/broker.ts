import { createServer, type Server } from 'node:net';
import { BrokerCore } from './broker-core.js';
import { ClientConnection, type LogLevel } from './client-connection.js';
import type { BrokerObserver } from './observer.js';
import type { BrokerAuthorizer } from './authorizer.js';

export interface EmbeddedBrokerOptions {
  /** Interface to listen on; loopback by default so nothing is exposed unless asked for. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Largest packet accepted, in bytes (default 16 MiB); larger ones end the connection with reason 0x95. */
  maxPacketSize?: number;
  /**
   * Extra CONNACK user properties per client, e.g. to behave like the EMQX MCP gateway in tests
   * (`MCP-SERVER-NAME`, `MCP-SERVER-NAME-FILTERS`, `MCP-RBAC`).
   */
  connackUserProperties?: (connect: { clientId: string; userProperties: Record<string, string | string[]> }) =>
    Record<string, string | string[]> | undefined;
  /**
   * Outbound bytes held for one client at most (default 16 MiB): what is written but not yet taken by the
   * network, plus QoS 1 messages waiting for a slot in the client's Receive Maximum window. Past it, QoS 0
   * messages to that client are dropped (the newest first) and a QoS 1 message disconnects it with 0x97
   * Quota exceeded, so a client that stops reading cannot grow the broker without limit.
   */
  maxQueuedBytes?: number;
  log?: (level: LogLevel, message: string) => void;
  /** Sees every client's CONNECT, SUBSCRIBE, PUBLISH, PUBACK and disconnect (observer.ts); costs nothing when absent. */
  observe?: BrokerObserver;
  /** Asked about each CONNECT, PUBLISH and SUBSCRIBE (authorizer.ts), e.g. the MCP RBAC policy; costs nothing when absent. */
  authorize?: BrokerAuthorizer;
  /** TCP_NODELAY on accepted sockets (default true). Only benchmarks comparing Nagle on/off should turn it off. */
  noDelay?: boolean;
}

const DEFAULT_MAX_PACKET_SIZE = 16 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
const TOPIC_ALIAS_MAXIMUM = 1024;

/** An in-process MQTT 5 (and 3.1.1) broker with clean sessions only, enough for MCP over MQTT. */
export class EmbeddedBroker {
  private readonly options: EmbeddedBrokerOptions;
  private core: BrokerCore;
  private server: Server | undefined;
  private address: { host: string; port: number; url: string } | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: EmbeddedBrokerOptions = {}) {
    this.options = options;
    this.core = this.newCore();
  }

  get url(): string {
    if (!this.address) throw new Error('EmbeddedBroker.url is only known after start()');
    return this.address.url;
  }

  get stats(): { connections: number; messagesIn: number; messagesOut: number } {
    return this.core.stats;
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    if (this.address) return this.address;
    if (this.stopping) await this.stopping;
    this.stopping = undefined;
    this.core = this.newCore();
    const host = this.options.host ?? '127.0.0.1';
    const server = createServer((socket) => {
      try {
        new ClientConnection(socket, this.core);
      } catch (err) {
        this.core.log('error', `cannot set up connection: ${(err as Error).message}`);
        socket.destroy();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.core.log('error', `listener error: ${err.message}`));
    this.server = server;
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : (this.options.port ?? 0);
    const urlHost = host.includes(':') ? `[${host}]` : host;
    this.address = { host, port, url: `mqtt://${urlHost}:${port}` };
    this.core.log('info', `embedded MQTT broker listening on ${this.address.url}`);
    return this.address;
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const server = this.server;
    this.server = undefined;
    this.address = undefined;
    if (!server) return Promise.resolve();
    this.stopping = new Promise<void>((resolve) => {
      server.close(() => resolve());
      this.core.closeAll();
    });
    return this.stopping;
  }

  private newCore(): BrokerCore {
    return new BrokerCore({
      maxPacketSize: this.options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE,
      topicAliasMaximum: TOPIC_ALIAS_MAXIMUM,
      noDelay: this.options.noDelay ?? true,
      maxQueuedBytes: this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
      connackUserProperties: this.options.connackUserProperties,
      log: this.options.log,
      observe: this.options.observe,
      authorize: this.options.authorize,
    });
  }
}
