// One DeviceRuntime served as an MCP server on a broker: the server host (presence, will, sessions), a
// session per client built from the runtime, the runtime's change hooks published once per device (not once
// per session), going offline gracefully or by a simulated crash, coming back, and a graceful stop that
// clears the retained presence. The simulator and the proxy both host their devices through this.
import { McpMqttServerHost } from './host.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { createDeviceSession, type DeviceRuntime } from '../device/index.js';
import type { EventSink } from '../events/event-log.js';
import { errorMessage, type Logger, nullLogger } from '../util/logger.js';

export interface HostedDeviceOptions {
  broker: BrokerConfig;
  serverId: string;
  /** Presence metadata (e.g. simulated: true, or proxy: true) besides the host's own. */
  meta: Record<string, unknown>;
  events?: EventSink;
  logger?: Logger;
}

export class HostedDevice {
  private host: McpMqttServerHost;
  private readonly disposers: (() => void)[];
  private readonly log: Logger;
  state: 'online' | 'offline' = 'offline';

  constructor(
    readonly runtime: DeviceRuntime,
    private readonly options: HostedDeviceOptions,
  ) {
    this.log = options.logger ?? nullLogger;
    this.host = this.createHost();
    this.disposers = [
      runtime.onResourceUpdated((uri) => void this.notify('notifications/resources/updated', { uri })),
      runtime.onListChanged((kind) => void this.notify(`notifications/${kind}/list_changed`)),
    ];
  }

  get serverId(): string {
    return this.options.serverId;
  }

  /** The name clients see: the model's, unless the broker assigned another at connect. */
  get serverName(): string {
    return this.host.serverName;
  }

  private createHost(): McpMqttServerHost {
    const { runtime, options } = this;
    return new McpMqttServerHost({
      broker: options.broker,
      serverId: options.serverId,
      serverName: runtime.serverName,
      description: runtime.description,
      meta: { ...options.meta, model: runtime.model.serverName, ...(runtime.model.version ? { version: runtime.model.version } : {}), ...(runtime.model.rbac ? { rbac: runtime.model.rbac } : {}) },
      // The hooks above publish list_changed and resources/updated once per device.
      createServer: ({ clientId }) => createDeviceSession(runtime, clientId, { capabilityNotifications: 'external' }),
      events: options.events,
      logger: this.log,
    });
  }

  private async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.state !== 'online') return;
    await this.host.notifyCapability(method, params).catch((e) => this.log.warn(`${this.serverName}: ${method} not sent: ${errorMessage(e)}`));
  }

  /** Starts the simulation, then announces the server. On failure nothing keeps running. */
  async start(): Promise<void> {
    this.runtime.start();
    try {
      await this.host.start();
    } catch (e) {
      this.runtime.stop();
      throw e;
    }
    this.state = 'online';
  }

  /** 'graceful' clears presence; 'crash' drops the socket so the broker's will does. */
  async takeOffline(mode: 'graceful' | 'crash'): Promise<void> {
    if (this.state === 'offline') return;
    this.state = 'offline';
    if (mode === 'crash') this.host.crash();
    else await this.host.stop();
  }

  async bringOnline(): Promise<void> {
    if (this.state === 'online') return;
    this.host = this.createHost();
    await this.host.start();
    this.state = 'online';
  }

  /** For good: hooks released, simulation stopped, presence cleared (when it was online). */
  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.runtime.stop();
    const wasOnline = this.state === 'online';
    this.state = 'offline';
    if (wasOnline) await this.host.stop().catch((e) => this.log.warn(`${this.serverName}: stop failed: ${errorMessage(e)}`));
  }
}
