// Simulated devices inside the extension host: the local demo (embedded broker + example devices) and
// models the user runs from an editor. Listed in the Simulators view, each stoppable.
import * as vscode from 'vscode';
import { isAbsolute } from 'node:path';
import type { Demo } from '../core/simulator/demo.js';
import type { Simulator, SimulatedDevice } from '../core/simulator/simulator.js';
import type { EventLog } from '../core/events/event-log.js';
import type { Logger } from '../core/util/logger.js';
import { errorMessage } from '../core/util/logger.js';
import { LOCAL_BROKER_ID, type BrokerManager } from './brokers/manager.js';
import { loadCore } from './core-loader.js';
import { setting } from './settings.js';
import { simulatedDeviceArgument } from './commands/arguments.js';
import { pickConnectedBroker, pickModelFile } from './commands/pickers.js';
import { CommandFailure, type CommandHandlers } from './commands/register.js';

/** Another service whose devices are listed (and stopped) here too: the device proxy. */
export interface ListedDeviceSource {
  devices(): SimulatedDevice[];
  stop(serverIds: string[]): Promise<void>;
  onDidChange(listener: () => void): () => void;
}

export class SimulatorService implements vscode.TreeDataProvider<SimulatedDevice>, vscode.Disposable {
  private demo: Demo | undefined;
  private readonly userSimulators = new Map<string, Simulator>();
  private readonly sources = new Set<ListedDeviceSource>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly brokers: BrokerManager,
    private readonly events: EventLog,
    private readonly log: Logger,
  ) {}

  get demoUrl(): string | undefined {
    return this.demo?.url;
  }

  /** The local demo's simulator (to take devices offline and back). */
  get demoSimulator(): Simulator | undefined {
    return this.demo?.simulator;
  }

  /** Starts (or restarts) the embedded broker with every example device and connects the tree to it. */
  async startDemo(): Promise<Demo> {
    await this.brokers.removeLocal();
    const port = setting('demo.port');
    const { startDemo } = loadCore().demo;
    const demo = await startDemo({
      examplesDir: vscode.Uri.joinPath(this.extensionUri, 'examples', 'devices').fsPath,
      port,
      rbacPolicyFile: rbacPolicyPath(),
      events: this.events.sink,
      logger: this.log,
    });
    this.demo = demo;
    demo.simulator.onDidChange(() => this.changed());
    await this.brokers.addLocal(demo.url, async () => {
      if (this.demo === demo) this.demo = undefined;
      await demo.stop();
      this.changed();
    });
    this.log.info(`local broker on ${demo.url} with ${demo.devices.length} demo device(s)`);
    this.changed();
    return demo;
  }

  /** Runs a device model file on a connected broker (the local one is started when none is connected). */
  async runModel(file: vscode.Uri): Promise<SimulatedDevice[]> {
    const { broker: picked, cancelled } = await pickConnectedBroker(this.brokers, 'Run the simulated device on which broker?');
    if (cancelled) return [];
    let broker = picked;
    if (!broker) {
      await this.startDemo();
      broker = this.brokers.get(LOCAL_BROKER_ID);
    }
    if (!broker) throw new Error('no broker to run the device on');
    let simulator = this.userSimulators.get(broker.id);
    if (!simulator) {
      const { Simulator } = loadCore().simulator;
      simulator = new Simulator({ broker: await this.brokers.brokerConfig(broker.id), events: this.events.sink, logger: this.log });
      simulator.onDidChange(() => this.changed());
      this.userSimulators.set(broker.id, simulator);
    }
    try {
      return await simulator.addFile(file.fsPath);
    } catch (e) {
      const { DeviceModelError } = loadCore().device;
      throw new Error(e instanceof DeviceModelError ? e.message : errorMessage(e), { cause: e });
    }
  }

  all(): SimulatedDevice[] {
    return [
      ...(this.demo?.simulator.devices() ?? []),
      ...[...this.userSimulators.values()].flatMap((s) => s.devices()),
      ...[...this.sources].flatMap((s) => s.devices()),
    ];
  }

  attach(source: ListedDeviceSource): vscode.Disposable {
    this.sources.add(source);
    const off = source.onDidChange(() => this.changed());
    return new vscode.Disposable(() => {
      off();
      this.sources.delete(source);
    });
  }

  async stop(serverId: string): Promise<void> {
    for (const source of this.sources) if (source.devices().some((d) => d.serverId === serverId)) await source.stop([serverId]);
    for (const s of [this.demo?.simulator, ...this.userSimulators.values()]) {
      if (s?.devices().some((d) => d.serverId === serverId)) await s.stop([serverId]);
    }
  }

  private changed(): void {
    void vscode.commands.executeCommand('setContext', 'mqttMcp.hasSimulators', this.all().length > 0);
    this.emitter.fire();
  }

  getTreeItem(d: SimulatedDevice): vscode.TreeItem {
    const item = new vscode.TreeItem(d.serverName, vscode.TreeItemCollapsibleState.None);
    item.id = `sim:${d.serverId}`;
    item.description = `${'deviceBroker' in d ? 'proxy · ' : ''}${d.state} · ${d.serverId}`;
    item.tooltip = `${d.runtime.description}\n${d.source ?? d.modelName}`;
    item.iconPath = new vscode.ThemeIcon(d.state === 'online' ? 'debug-start' : 'debug-pause');
    item.contextValue = 'simulator';
    return item;
  }

  getChildren(d?: SimulatedDevice): SimulatedDevice[] {
    return d ? [] : this.all();
  }

  commands(): CommandHandlers {
    return {
      'mqttMcp.runSimulator': async (arg?: unknown) => {
        const file = await pickModelFile(arg);
        if (!file) return;
        try {
          const devices = await this.runModel(file);
          if (devices.length) void vscode.window.showInformationMessage(`Simulating ${devices.map((d) => d.serverName).join(', ')}`);
        } catch (e) {
          throw new CommandFailure(`cannot simulate ${vscode.workspace.asRelativePath(file)}: ${errorMessage(e)}`, { cause: e });
        }
      },
      'mqttMcp.stopSimulator': async (arg?: unknown) => {
        const device = simulatedDeviceArgument(arg);
        if (device) await this.stop(device.serverId);
      },
    };
  }

  /** Stops every simulated device, each clearing its retained presence. The demo's embedded broker stays up:
   * the broker manager stops it after closing its connections. */
  async dispose(): Promise<void> {
    await Promise.all([...this.userSimulators.values(), ...(this.demo ? [this.demo.simulator] : [])].map((s) => s.stop()));
    this.emitter.dispose();
  }
}

/** mqttMcp.localBroker.rbacPolicy: absolute, or relative to the first workspace folder; undefined when unset. */
function rbacPolicyPath(): string | undefined {
  const configured = setting('localBroker.rbacPolicy').trim();
  if (!configured) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return isAbsolute(configured) || !folder ? configured : vscode.Uri.joinPath(folder.uri, configured).fsPath;
}
