// Runs device models as real MCP servers on a broker: one DeviceRuntime (state, timers) per instance, hosted
// by a HostedDevice (presence, will, sessions). Instances can be taken offline gracefully or by a simulated
// crash, and brought back, to exercise clients.
import { HostedDevice } from '../server/hosted-device.js';
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
  hosted: HostedDevice;
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
      const hosted = new HostedDevice(runtime, { broker: this.options.broker, serverId, meta: { simulated: true }, events: this.options.events, logger: this.log });
      const instance: Instance = { serverId, serverName: runtime.serverName, modelName: model.serverName, source, runtime, hosted, state: 'offline' };
      this.instances.set(serverId, instance);
      try {
        await hosted.start();
      } catch (e) {
        this.instances.delete(serverId);
        await hosted.stop();
        throw new Error(`starting ${runtime.serverName}: ${errorMessage(e)}`, { cause: e });
      }
      instance.serverName = hosted.serverName;
      instance.state = 'online';
      started.push(this.view(instance));
    }
    this.changed();
    return started;
  }

  devices(): SimulatedDevice[] {
    return [...this.instances.values()].map((i) => this.view(i));
  }

  /** Takes an instance offline: 'graceful' clears presence; 'crash' drops the socket so the will does. */
  async takeOffline(serverId: string, mode: 'graceful' | 'crash'): Promise<void> {
    const instance = this.require(serverId);
    if (instance.state === 'offline') return;
    instance.state = 'offline';
    await instance.hosted.takeOffline(mode);
    this.changed();
  }

  async bringOnline(serverId: string): Promise<void> {
    const instance = this.require(serverId);
    if (instance.state === 'online') return;
    await instance.hosted.bringOnline();
    instance.state = 'online';
    this.changed();
  }

  /** Stops and forgets instances (all when no ids are given). Graceful: presence is cleared. */
  async stop(serverIds?: string[]): Promise<void> {
    const targets = serverIds ? serverIds.map((id) => this.require(id)) : [...this.instances.values()];
    await Promise.all(
      targets.map(async (i) => {
        this.instances.delete(i.serverId);
        i.state = 'offline';
        await i.hosted.stop();
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
