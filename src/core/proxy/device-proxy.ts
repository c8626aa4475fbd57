// Gives devices that speak plain MQTT (or Sparkplug B) an MCP face: each proxied instance is a DeviceRuntime
// whose attributes, functions and events are bound to the device's real topics, served by an MCP server host
// exactly as the simulator serves a simulated one (HostedDevice). The devices may live on another broker than
// the MCP traffic.
import { HostedDevice } from '../server/hosted-device.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { DeviceRuntime, loadDeviceModel, type DeviceModel } from '../device/index.js';
import type { EventSink } from '../events/event-log.js';
import { assertValidId } from '../protocol/topics.js';
import { randomId } from '../util/ids.js';
import { errorMessage, type Logger, nullLogger } from '../util/logger.js';
import { AttributeBinding } from './attribute-binding.js';
import type { BindingContext } from './binding-context.js';
import { DeviceLink } from './device-link.js';
import { EventBinding } from './event-binding.js';
import { PublishActuator } from './publish-actuator.js';
import { SparkplugDefinitions } from './sparkplug.js';

export interface ProxiedDevice {
  serverId: string;
  serverName: string;
  modelName: string;
  source?: string;
  runtime: DeviceRuntime;
  state: 'online' | 'offline';
  /** Where the real device's topics are read and written. */
  deviceBroker: string;
}

interface Instance extends ProxiedDevice {
  hosted: HostedDevice;
  bindings: (AttributeBinding | EventBinding)[];
}

export interface DeviceProxyOptions {
  /** Where the MCP traffic goes (presence, sessions). */
  broker: BrokerConfig;
  /** Where the devices publish and listen; default: the same broker. */
  deviceBroker?: BrokerConfig;
  events?: EventSink;
  logger?: Logger;
}

export interface AddOptions {
  /** Copies numbered {n} = 1..instances, with generated server-ids. */
  instances?: number;
  /** Instances with exactly these server-ids, for {id} in topics (e.g. the device's own id on its topics). */
  ids?: string[];
  source?: string;
}

export class DeviceProxy {
  private readonly instances = new Map<string, Instance>();
  private readonly listeners = new Set<() => void>();
  private readonly log: Logger;
  private readonly definitions = new SparkplugDefinitions();
  private link: DeviceLink | undefined;

  constructor(private readonly options: DeviceProxyOptions) {
    this.log = options.logger ?? nullLogger;
  }

  get deviceBrokerUrl(): string {
    return (this.options.deviceBroker ?? this.options.broker).url;
  }

  async addFile(path: string, options: Omit<AddOptions, 'source'> = {}): Promise<ProxiedDevice[]> {
    return this.add(await loadDeviceModel({ path }), { ...options, source: path });
  }

  async add(model: DeviceModel, options: AddOptions = {}): Promise<ProxiedDevice[]> {
    const ids = instanceIds(model, options);
    if (!hasBindings(model)) this.log.warn(`${model.serverName}: the model binds nothing to device topics, so the proxy only simulates it`);
    const link = await this.connectLink();
    const started: ProxiedDevice[] = [];
    const offset = [...this.instances.values()].filter((i) => i.modelName === model.serverName).length;
    for (const [i, serverId] of ids.entries()) started.push(this.view(await this.startInstance(model, link, offset + i + 1, serverId, options.source)));
    this.changed();
    return started;
  }

  private async connectLink(): Promise<DeviceLink> {
    if (!this.link) {
      const link = new DeviceLink({ broker: this.options.deviceBroker ?? this.options.broker, logger: this.log });
      await link.connect();
      this.link = link;
    }
    return this.link;
  }

  private async startInstance(model: DeviceModel, link: DeviceLink, n: number, serverId: string, source: string | undefined): Promise<Instance> {
    if (this.instances.has(serverId)) throw new Error(`server-id "${serverId}" is already proxied`);
    const actuator = new PublishActuator(`mqtt-mcp-proxy/${link.clientId}/replies`);
    const runtime = new DeviceRuntime(model, { index: n, serverId }, { actuator: actuator.act });
    const context: BindingContext = { runtime, link, definitions: this.definitions, instance: { n, id: serverId }, log: this.log };
    actuator.attach(context);
    const bindings = [
      ...Object.entries(model.attributes).flatMap(([name, a]) => (a.source ? [new AttributeBinding(context, name, a, a.source)] : [])),
      ...model.events.flatMap((e) => (e.source ? [new EventBinding(context, { ...e, source: e.source })] : [])),
    ];
    const hosted = new HostedDevice(runtime, { broker: this.options.broker, serverId, meta: { proxy: true }, events: this.options.events, logger: this.log });
    const instance: Instance = {
      serverId, serverName: runtime.serverName, modelName: model.serverName, source, runtime, hosted, bindings,
      state: 'offline', deviceBroker: link.url,
    };
    this.instances.set(serverId, instance);
    try {
      // Bindings first, so retained device state is in place before any client can discover the server.
      for (const binding of bindings) await binding.start();
      await hosted.start();
    } catch (e) {
      await this.shutdown(instance);
      throw new Error(`starting the proxy for ${runtime.serverName}: ${errorMessage(e)}`, { cause: e });
    }
    instance.serverName = hosted.serverName;
    instance.state = 'online';
    return instance;
  }

  devices(): ProxiedDevice[] {
    return [...this.instances.values()].map((i) => this.view(i));
  }

  /** Stops instances (all when no ids are given): presence cleared, device topics released. */
  async stop(serverIds?: string[]): Promise<void> {
    const targets = serverIds ? serverIds.flatMap((id) => this.instances.get(id) ?? []) : [...this.instances.values()];
    await Promise.all(targets.map((i) => this.shutdown(i)));
    if (this.instances.size === 0 && this.link) {
      const link = this.link;
      this.link = undefined;
      await link.close();
    }
    if (targets.length) this.changed();
  }

  private async shutdown(instance: Instance): Promise<void> {
    this.instances.delete(instance.serverId);
    instance.state = 'offline';
    // Presence cleared and the simulation stopped while the bindings let go of the device topics.
    await Promise.all([instance.hosted.stop(), ...instance.bindings.map((b) => b.stop())]);
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private view(i: Instance): ProxiedDevice {
    return { serverId: i.serverId, serverName: i.serverName, modelName: i.modelName, source: i.source, runtime: i.runtime, state: i.state, deviceBroker: i.deviceBroker };
  }
}

function instanceIds(model: DeviceModel, options: AddOptions): string[] {
  if (options.ids?.length) {
    if (options.instances !== undefined && options.instances !== options.ids.length) throw new RangeError('give either instances or ids, not both');
    for (const id of options.ids) assertValidId('server-id', id);
    return options.ids;
  }
  const count = options.instances ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('instances must be a positive whole number');
  const prefix = (model.serverIdPrefix ?? 'proxy-').slice(0, 40);
  return Array.from({ length: count }, () => randomId(prefix.endsWith('-') ? prefix : `${prefix}-`));
}

function hasBindings(model: DeviceModel): boolean {
  return Object.values(model.attributes).some((a) => a.source) || model.functions.some((f) => f.publish) || model.events.some((e) => e.source);
}
