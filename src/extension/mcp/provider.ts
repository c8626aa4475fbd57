// Discovered devices as MCP servers for the editor's agent: one HTTP definition per exposed server-name,
// served by an in-process gateway per connected broker. `provide` answers from cached discovery state and
// never prompts; `resolve` starts the gateway (idempotent: VS Code may call it twice) and fills in the URL
// and the per-start bearer token.
import * as vscode from 'vscode';
import type { McpGateway } from '../../core/gateway/index.js';
import type { McpMqttClient } from '../../core/client/mcp-client.js';
import { errorMessage } from '../../core/util/logger.js';
import type { EventLog } from '../../core/events/event-log.js';
import type { Logger } from '../../core/util/logger.js';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import type { AgentExposure } from './exposure.js';
import { loadCore } from '../core-loader.js';
import { agentSettings, offersFleet } from './agent-mode.js';
import { affects } from '../settings.js';

export const PROVIDER_ID = 'mqttMcp.devices';
const CHANGE_DEBOUNCE_MS = 250;

export interface McpProviderDeps {
  brokers: BrokerManager;
  exposure: AgentExposure;
  events: EventLog;
  log: Logger;
}

interface Target {
  brokerId: string;
  serverName: string;
  /** The broker's fleet server rather than one device. */
  fleet?: boolean;
}

export class DeviceMcpProvider implements vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.emitter.event;
  private readonly gateways = new Map<string, { client: McpMqttClient; gateway: McpGateway; started: Promise<unknown> }>();
  private readonly targets = new Map<string, Target>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly services: McpProviderDeps) {
    const { brokers, exposure } = services;
    this.disposables = [
      brokers.onDidChangeServers(() => this.changed()),
      brokers.onDidChangeBroker((entry) => {
        if (entry) void this.dropStaleGateway(entry);
        this.changed();
      }),
      brokers.onDidInvalidateCatalog(() => this.changed()),
      exposure.onDidChange(() => this.changed()),
      vscode.workspace.onDidChangeConfiguration((e) => affects(e, 'agent') && this.changed()),
    ];
  }

  private changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.emitter.fire();
    }, CHANGE_DEBOUNCE_MS);
  }

  async provideMcpServerDefinitions(): Promise<vscode.McpHttpServerDefinition[]> {
    const { brokers, exposure } = this.services;
    const connected = brokers.connected();
    const nameCount = new Map<string, number>();
    for (const b of connected) for (const s of b.client?.registry.servers() ?? []) if (s.online) nameCount.set(s.name, (nameCount.get(s.name) ?? 0) + 1);
    this.targets.clear();
    const definitions: vscode.McpHttpServerDefinition[] = [];
    const settings = agentSettings();
    for (const broker of connected) {
      const exposed = (broker.client?.registry.servers() ?? []).filter((s) => s.online && exposure.isExposed(broker.id, s.name));
      if (offersFleet(settings, exposed.length)) {
        const label = `${broker.label} fleet`;
        this.targets.set(label, { brokerId: broker.id, serverName: label, fleet: true });
        const running = this.gateways.get(broker.id)?.gateway.fleetServer();
        definitions.push(new vscode.McpHttpServerDefinition(label, vscode.Uri.parse(running?.url ?? 'http://127.0.0.1/fleet'), {}, 'fleet-1'));
        continue;
      }
      for (const server of exposed) {
        // The same name on two brokers needs two labels; otherwise the label is the server-name itself.
        const label = (nameCount.get(server.name) ?? 0) > 1 ? `${server.name} (${broker.label})` : server.name;
        this.targets.set(label, { brokerId: broker.id, serverName: server.name });
        const running = this.gateways.get(broker.id);
        const uri = vscode.Uri.parse(running?.gateway.address ? running.gateway.urlFor(server.name) : `http://127.0.0.1/mcp/${encodeURIComponent(server.name)}`);
        definitions.push(new vscode.McpHttpServerDefinition(label, uri, {}, await this.version(broker, server.name)));
      }
    }
    return definitions;
  }

  /** A hash of the tool list when it is known, so a firmware change makes VS Code re-list; else the presence. */
  private async version(broker: BrokerEntry, serverName: string): Promise<string> {
    const catalog = await broker.catalogs?.peek(serverName);
    if (catalog) return loadCore().gateway.toolListHash(catalog.tools);
    const instance = broker.client?.registry.get(serverName)?.instances[0];
    return `presence-${hashText(`${instance?.description ?? ''}${JSON.stringify(instance?.meta ?? {})}`)}`;
  }

  async resolveMcpServerDefinition(definition: vscode.McpHttpServerDefinition): Promise<vscode.McpHttpServerDefinition | undefined> {
    const target = this.targets.get(definition.label);
    if (!target) return undefined;
    const broker = this.services.brokers.get(target.brokerId);
    if (!broker) return undefined;
    try {
      const client = broker.client && broker.state === 'connected' ? broker.client : await this.services.brokers.connect(broker.id);
      const gateway = await this.gatewayFor(broker.id, client);
      const address = gateway.address;
      if (!address) return undefined;
      const fleet = target.fleet ? gateway.fleetServer() : undefined;
      if (target.fleet && !fleet) return undefined;
      definition.uri = vscode.Uri.parse(fleet ? fleet.url : gateway.urlFor(target.serverName));
      definition.headers = { Authorization: `Bearer ${address.token}` };
      return definition;
    } catch (e) {
      // Throwing tells VS Code (and the model) why; returning undefined would just not start it.
      throw new Error(`MQTT MCP: cannot reach ${target.serverName} on ${broker.label}: ${errorMessage(e)}`, { cause: e });
    }
  }

  private async gatewayFor(brokerId: string, client: McpMqttClient): Promise<McpGateway> {
    const existing = this.gateways.get(brokerId);
    if (existing && existing.client === client) {
      await existing.started;
      return existing.gateway;
    }
    if (existing) await existing.gateway.stop().catch(() => undefined);
    const { McpGateway } = loadCore().gateway;
    const listTimeoutMs = vscode.workspace.getConfiguration('mqttMcp').get<number>('catalog.listTimeoutMs');
    const gateway = new McpGateway({
      client, events: this.services.events.sink, logger: this.services.log, listTimeoutMs, fleet: { maxCallMany: () => agentSettings().maxCallMany },
    });
    const started = gateway.start();
    this.gateways.set(brokerId, { client, gateway, started });
    await started;
    return gateway;
  }

  private async dropStaleGateway(entry: BrokerEntry): Promise<void> {
    const running = this.gateways.get(entry.id);
    if (running && running.client !== entry.client) {
      this.gateways.delete(entry.id);
      await running.gateway.stop().catch(() => undefined);
    }
  }

  /** Address of a broker's gateway, when started (for tests and the status view). */
  gatewayAddress(brokerId: string): { port: number; token: string } | undefined {
    return this.gateways.get(brokerId)?.gateway.address;
  }

  /** Stops every gateway (their HTTP ports close) before the broker connections they use go away. */
  async dispose(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    const running = [...this.gateways.values()];
    this.gateways.clear();
    this.emitter.dispose();
    await Promise.all(running.map(({ gateway }) => gateway.stop().catch((e) => this.services.log.warn(`stopping a gateway: ${errorMessage(e)}`))));
  }
}

function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
