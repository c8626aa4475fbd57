// "Run Device Proxy": serves the real devices a model file describes (through its bindings) as MCP servers
// on a connected broker, reading and writing the devices on the same broker or another one. Proxied devices
// are listed in the Simulators view, where they can be stopped like simulated ones.
import * as vscode from 'vscode';
import { brokerUrlProblem, type BrokerConfig } from '../core/mqtt/options.js';
import type { DeviceProxy, ProxiedDevice } from '../core/proxy/index.js';
import { errorMessage } from '../core/util/logger.js';
import { LOCAL_BROKER_ID, type BrokerEntry } from './brokers/manager.js';
import type { ListedDeviceSource } from './simulators.js';
import type { EventLog } from '../core/events/event-log.js';
import type { Logger } from '../core/util/logger.js';
import type { BrokerManager } from './brokers/manager.js';
import type { CommandHandlers } from './commands/register.js';
import { loadCore } from './core-loader.js';
import { pickConnectedBroker, pickModelFile } from './commands/pickers.js';
import { CommandFailure } from './commands/register.js';

export interface ProxyDeps {
  brokers: BrokerManager;
  events: EventLog;
  log: Logger;
  /** With no broker connected, the proxied devices are served on the local demo broker. */
  simulators: { startDemo(): Promise<unknown> };
}

export class ProxyService implements ListedDeviceSource {
  /** One proxy per (MCP broker, device broker) pair, so they share the device connection. */
  private readonly proxies = new Map<string, DeviceProxy>();
  private readonly emitter = new vscode.EventEmitter<void>();

  constructor(private readonly services: ProxyDeps) {}

  async run(file: vscode.Uri): Promise<ProxiedDevice[]> {
    const broker = await this.pickMcpBroker();
    if (!broker) return [];
    const deviceBroker = await this.pickDeviceBroker(broker);
    if (!deviceBroker) return [];
    const key = `${broker.id}\u0000${deviceBroker.url}\u0000${deviceBroker.username ?? ''}`;
    let proxy = this.proxies.get(key);
    if (!proxy) {
      // Loaded on first use: Sparkplug decoding brings protobufjs.
      const { DeviceProxy } = loadCore().proxy;
      proxy = new DeviceProxy({
        broker: await this.services.brokers.brokerConfig(broker.id),
        deviceBroker,
        events: this.services.events.sink,
        logger: this.services.log,
      });
      proxy.onDidChange(() => this.emitter.fire());
      this.proxies.set(key, proxy);
    }
    try {
      return await proxy.addFile(file.fsPath);
    } catch (e) {
      const { DeviceModelError } = loadCore().device;
      throw new Error(e instanceof DeviceModelError ? e.message : errorMessage(e), { cause: e });
    }
  }

  private async pickMcpBroker(): Promise<BrokerEntry | undefined> {
    const { brokers, simulators } = this.services;
    const { broker, cancelled } = await pickConnectedBroker(brokers, 'Serve the proxied device as an MCP server on which broker?');
    if (broker || cancelled) return broker;
    await simulators.startDemo();
    return brokers.get(LOCAL_BROKER_ID);
  }

  private async pickDeviceBroker(mcp: BrokerEntry): Promise<BrokerConfig | undefined> {
    const same = { label: 'The same broker', description: mcp.settings.url };
    const other = { label: 'Another broker…', description: 'where the devices publish and listen' };
    const choice = await vscode.window.showQuickPick([same, other], { title: 'Where are the real devices?' });
    if (!choice) return undefined;
    if (choice === same) return { url: mcp.settings.url, username: mcp.settings.username };
    const url = await vscode.window.showInputBox({
      title: 'Device broker URL',
      placeHolder: 'mqtt://plant-broker:1883',
      validateInput: (value) => brokerUrlProblem(value.trim()),
    });
    if (!url) return undefined;
    const username = await vscode.window.showInputBox({ title: 'Device broker user name (empty for none)' });
    if (username === undefined) return undefined;
    const password = username ? await vscode.window.showInputBox({ title: `Password for ${username}`, password: true }) : undefined;
    return { url: url.trim(), ...(username ? { username } : {}), ...(password ? { password } : {}) };
  }

  devices(): ProxiedDevice[] {
    return [...this.proxies.values()].flatMap((p) => p.devices());
  }

  async stop(serverIds: string[]): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop(serverIds.filter((id) => p.devices().some((d) => d.serverId === id)))));
  }

  onDidChange(listener: () => void): () => void {
    const subscription = this.emitter.event(listener);
    return () => subscription.dispose();
  }

  commands(): CommandHandlers {
    return {
      'mqttMcp.runProxy': async (arg?: unknown) => {
        const file = await pickModelFile(arg);
        if (!file) return;
        try {
          const devices = await this.run(file);
          if (devices.length) void vscode.window.showInformationMessage(`Proxying ${devices.map((d) => `${d.serverName} (devices on ${d.deviceBroker})`).join(', ')}`);
        } catch (e) {
          throw new CommandFailure(`cannot proxy ${vscode.workspace.asRelativePath(file)}: ${errorMessage(e)}`, { cause: e });
        }
      },
    };
  }

  /** Stops every proxied device (each clears its retained presence) and the device connections. */
  async dispose(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.emitter.dispose();
  }
}
