// Runs device models as real MCP servers on a broker: one DeviceRuntime (state, timers) and one server host
// (presence, will, sessions) per instance. Instances can be taken offline gracefully or by a simulated
// crash, and brought back, to exercise clients.
import { McpMqttServerHost } from '../server/host.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { DeviceRuntime, loadDeviceModel, type DeviceModel } from '../device/index.js';
import type { EventSink } from '../events/event-log.js';
import { randomId } from '../util/ids.js';
import { errorMessage, type Logger, nullLogger } from '../util/logger.js';

export interface SimulatedDevice {
  serverId: string;
  serverName: string;
  modelName: string;
  source?: string;
  runtime: DeviceRuntime;
  state: 'online' | 'offline';
}

interface Instance extends SimulatedDevice {
  host: McpMqttServerHost;
  disposers: (() => void)[];
}

export interface SimulatorOptions {
  broker: BrokerConfig;
  events?: EventSink;
  logger?: Logger;
  tickMs?: number;
}

export class Simulator {
  private readonly instances = new Map<string, Instance>();
  private readonly log: Logger;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: SimulatorOptions) {
    this.log = options.logger ?? nullLogger;
  }

  /** Loads a model file and starts `instances` copies of it. */
  async addFile(path: string, instances = 1): Promise<SimulatedDevice[]> {
    return this.add(await loadDeviceModel({ path }), instances, path);
  }

  async add(model: DeviceModel, instances = 1, source?: string): Promise<SimulatedDevice[]> {
    if (!Number.isInteger(instances) || instances < 1) throw new RangeError('instances must be a positive whole number');
    const prefix = (model.serverIdPrefix ?? slug(model.serverName)).slice(0, 40).replace(/-+$/, "");
    const started: SimulatedDevice[] = [];
    const offset = this.countOf(model);
    for (let i = 1; i <= instances; i++) {
      const serverId = randomId(`${prefix}-`);
      const runtime = new DeviceRuntime(model, { index: offset + i, serverId }, { tickMs: this.options.tickMs });
      const host = this.hostFor(runtime, serverId);
      const instance: Instance = { serverId, serverName: runtime.serverName, modelName: model.serverName, source, runtime, host, state: 'offline', disposers: [] };
      instance.disposers.push(
        runtime.onResourceUpdated((uri) => void this.publish(instance, 'notifications/resources/updated', { uri })),
        runtime.onListChanged((kind) => void this.publish(instance, `notifications/${kind}/list_changed`)),
      );
      this.instances.set(serverId, instance);
      runtime.start();
      try {
        await host.start();
      } catch (e) {
        runtime.stop();
        this.instances.delete(serverId);
        throw new Error(`starting ${runtime.serverName}: ${errorMessage(e)}`, { cause: e });
      }
      instance.serverName = host.serverName;
      instance.state = 'online';
      started.push(this.view(instance));
    }
    this.changed();
    return started;
  }

  private hostFor(runtime: DeviceRuntime, serverId: string): McpMqttServerHost {
    return new McpMqttServerHost({
      broker: this.options.broker,
      serverId,
      serverName: runtime.serverName,
      description: runtime.description,
      meta: { simulated: true, model: runtime.model.serverName, ...(runtime.model.version ? { version: runtime.model.version } : {}) },
      // The runtime publishes list_changed and resources/updated once per device through the hooks above.
      createServer: ({ clientId }) => runtime.createServer(clientId, { capabilityNotifications: 'external' }),
      events: this.options.events,
      logger: this.log,
    });
  }

  private async publish(instance: Instance, method: string, params?: Record<string, unknown>): Promise<void> {
    if (instance.state !== 'online') return;
    await instance.host.notifyCapability(method, params).catch((e) => this.log.warn(`${instance.serverName}: ${method} not sent: ${errorMessage(e)}`));
  }

  devices(): SimulatedDevice[] {
    return [...this.instances.values()].map((i) => this.view(i));
  }

  /** Takes an instance offline: 'graceful' clears presence; 'crash' drops the socket so the will does. */
  async takeOffline(serverId: string, mode: 'graceful' | 'crash'): Promise<void> {
    const instance = this.require(serverId);
    if (instance.state === 'offline') return;
    instance.state = 'offline';
    if (mode === 'crash') instance.host.crash();
    else await instance.host.stop();
    this.changed();
  }

  async bringOnline(serverId: string): Promise<void> {
    const instance = this.require(serverId);
    if (instance.state === 'online') return;
    instance.host = this.hostFor(instance.runtime, serverId);
    await instance.host.start();
    instance.state = 'online';
    this.changed();
  }

  /** Stops and forgets instances (all when no ids are given). Graceful: presence is cleared. */
  async stop(serverIds?: string[]): Promise<void> {
    const targets = serverIds ? serverIds.map((id) => this.require(id)) : [...this.instances.values()];
    await Promise.all(
      targets.map(async (i) => {
        this.instances.delete(i.serverId);
        for (const d of i.disposers) d();
        i.runtime.stop();
        if (i.state === 'online') await i.host.stop().catch((e) => this.log.warn(`${i.serverName}: stop failed: ${errorMessage(e)}`));
        i.state = 'offline';
      }),
    );
    if (targets.length) this.changed();
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private require(serverId: string): Instance {
    const instance = this.instances.get(serverId);
    if (!instance) throw new Error(`no simulated device with id "${serverId}"`);
    return instance;
  }

  private countOf(model: DeviceModel): number {
    let n = 0;
    for (const i of this.instances.values()) if (i.runtime.model === model || i.modelName === model.serverName) n++;
    return n;
  }

  private view(i: Instance): SimulatedDevice {
    return { serverId: i.serverId, serverName: i.serverName, modelName: i.modelName, source: i.source, runtime: i.runtime, state: i.state };
  }
}

function slug(serverName: string): string {
  return serverName.replace(/\{[^}]*\}/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'device';
}
