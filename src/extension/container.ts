// The composition root: builds every part of the extension with only what it needs, registers views and
// commands, and owns disposal. Parts are built in dependency order, so the reverse order (Lifetime) is the
// shutdown the editor waits for: commands and webviews, agent gateways, proxies, simulators (each clearing its
// retained presence), checker runs, broker connections, and last the embedded broker behind them.
import * as vscode from 'vscode';
import { EventLog } from '../core/events/event-log.js';
import type { Simulator } from '../core/simulator/simulator.js';
import type { Logger } from '../core/util/logger.js';
import { scaffoldCommands } from './scaffold.js';
import { createLogger } from './log.js';
import { Lifetime } from './lifetime.js';
import { affects, setting } from './settings.js';
import { BrokerSecrets } from './brokers/secrets.js';
import { BrokerManager } from './brokers/manager.js';
import { DevicesTreeProvider } from './tree/provider.js';
import { ResultDocuments } from './documents.js';
import { brokerCommands } from './commands/brokers.js';
import { serverCommands } from './commands/servers.js';
import { registerCommands } from './commands/register.js';
import { devicesViewCommands, showFilterState } from './commands/find-device.js';
import { createStatusBar, statusCommands } from './status-bar.js';
import { AgentExposure } from './mcp/exposure.js';
import { DeviceMcpProvider, PROVIDER_ID } from './mcp/provider.js';
import { SimulatorService } from './simulators.js';
import { ProxyService } from './proxy.js';
import { ConformanceReports } from './conformance/report-panel.js';
import { listeningCheckCommands } from './conformance/listen-command.js';
import { ToolInvokers } from './webviews/invoker/index.js';
import { TIMELINE_VIEW_ID, TimelineViewProvider } from './webviews/timeline/provider.js';
import { timelineCommands } from './webviews/timeline/index.js';
import { WatchService } from './watch/watch-service.js';
import { DeviceRequestService } from './device-requests/service.js';

/** What the extension-host tests may look at (returned by activate); nothing here exists only for them. */
export interface ExtensionApi {
  brokers: BrokerManager;
  tree: DevicesTreeProvider;
  events: EventLog;
  /** The local demo's simulator, when the demo runs (to take devices offline and back). */
  demoSimulator(): Simulator | undefined;
  /** How often VS Code asked the agent provider for servers (its MCP machinery is ready after the first). */
  agentProviderAsks(): number;
}

export interface Container {
  api: ExtensionApi;
  log: Logger;
  dispose(): Promise<void>;
}

export function createContainer(context: vscode.ExtensionContext): Container {
  const channel = vscode.window.createOutputChannel('MQTT MCP', { log: true });
  const log = createLogger(channel);
  const lifetime = new Lifetime(() => log);
  lifetime.own('log channel', channel);
  const { extensionUri } = context;

  const events = new EventLog(setting('timeline.maxEvents'));
  // Protocol traces (every request, response, notification, presence change) at trace level only; the
  // level check keeps formatting off the hot path when nobody is tracing.
  lifetime.own('protocol traces', {
    dispose: events.onEvent((e) => {
      if (channel.logLevel !== vscode.LogLevel.Trace) return;
      channel.trace(`[${e.kind}${e.source ? `/${e.source}` : ''}] ${e.summary}${e.topic ? ` (${e.topic})` : ''}${e.latencyMs !== undefined ? ` ${e.latencyMs.toFixed(2)} ms` : ''}`);
    }),
  });

  const secrets = new BrokerSecrets(context.secrets);
  // Its disposal closes every broker connection, then stops the embedded demo broker.
  const deviceRequests = new DeviceRequestService({ extensionUri, workspaceState: context.workspaceState, events, log });
  const brokers = lifetime.own('broker connections', new BrokerManager(secrets, events, log, (broker) => deviceRequests.handlersFor(broker)));
  const exposure = lifetime.own('agent exposure', new AgentExposure(context.globalState));
  const documents = lifetime.own('result documents', new ResultDocuments(brokers));
  // Watches are built before the tree that shows their values, so they reach it through a late binding.
  let refreshTreeRow = (_id: string): void => undefined;
  const watches = new WatchService({ extensionUri, brokers, log, refreshTreeRow: (id) => refreshTreeRow(id) });
  const tree = lifetime.own('devices tree', new DevicesTreeProvider(brokers, (b, name) => exposure.isExposed(b.id, name), (node, item) => watches.decorate(node, item)));
  refreshTreeRow = (id) => tree.refreshById(id);
  const devicesView = lifetime.own('devices view', vscode.window.createTreeView('mqttMcp.devices', { treeDataProvider: tree, showCollapseAll: true }));
  lifetime.own('devices filter state', showFilterState(devicesView, tree));
  lifetime.own('status bar', createStatusBar(brokers));

  const conformance = lifetime.own('checker runs', new ConformanceReports({ extensionUri, brokers, events, log }));
  const simulators = lifetime.own('simulators', new SimulatorService(extensionUri, brokers, events, log));
  lifetime.own('simulators view', vscode.window.registerTreeDataProvider('mqttMcp.simulators', simulators));
  const proxies = lifetime.own('proxies', new ProxyService({ brokers, events, log, simulators }));
  lifetime.own('proxies in the simulators view', simulators.attach(proxies));

  const mcpProvider = lifetime.own('agent gateways', new DeviceMcpProvider({ brokers, exposure, events, log }));
  let agentProviderAsks = 0;
  // Forks and older hosts may lack the API; the rest of the extension works without it.
  if (typeof vscode.lm?.registerMcpServerDefinitionProvider === 'function') {
    // Counted here for the test API, so the provider class carries no test-only state.
    const counted: vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> = {
      onDidChangeMcpServerDefinitions: mcpProvider.onDidChangeMcpServerDefinitions,
      provideMcpServerDefinitions: () => {
        agentProviderAsks++;
        return mcpProvider.provideMcpServerDefinitions();
      },
      resolveMcpServerDefinition: (definition) => mcpProvider.resolveMcpServerDefinition(definition),
    };
    lifetime.own('agent provider registration', vscode.lm.registerMcpServerDefinitionProvider(PROVIDER_ID, counted));
  } else {
    log.warn('this editor has no MCP server definition API: devices are not offered to the agent');
  }

  const invokers = lifetime.own('tool invokers', new ToolInvokers({ extensionUri, brokers, documents, log }, context.globalState));
  lifetime.own('tool invoker restore', invokers.registerSerializer());
  // Disposed before the broker connections, so each subscription is ended on its device.
  lifetime.own('resource watches', watches);
  const timeline = lifetime.own('event timeline', new TimelineViewProvider(extensionUri, events, log));
  lifetime.own('event timeline view', vscode.window.registerWebviewViewProvider(TIMELINE_VIEW_ID, timeline, { webviewOptions: { retainContextWhenHidden: false } }));

  for (const command of registerCommands(
    {
      ...brokerCommands({ brokers, secrets, startDemo: () => simulators.startDemo() }),
      ...serverCommands({ brokers, documents, refreshServer: (node) => tree.refreshServer(node), setExposed: (target, exposed) => exposure.set(target.broker.id, target.serverName, exposed) }),
      ...devicesViewCommands({ brokers, tree, view: devicesView }),
      ...simulators.commands(),
      ...proxies.commands(),
      ...conformance.commands(),
      ...listeningCheckCommands(conformance),
      ...invokers.commands(),
      ...watches.commands(),
      ...timelineCommands(events, timeline),
      ...statusCommands(brokers),
      ...scaffoldCommands({ log }),
      ...deviceRequests.commands(),
      'mqttMcp.refresh': () => tree.refreshAll(),
      'mqttMcp.showLog': () => channel.show(),
    },
    log,
  )) {
    lifetime.own('command', command);
  }

  const updateWelcome = (): void => void vscode.commands.executeCommand('setContext', 'mqttMcp.noBrokers', brokers.list().length === 0);
  lifetime.own('welcome view', brokers.onDidChangeBroker(updateWelcome));
  lifetime.own(
    'settings listener',
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'timeline.maxEvents')) {
        events.resize(setting('timeline.maxEvents'));
        timeline.capacityChanged();
      }
      if (affects(e, 'agent.exposeByDefault')) tree.refreshAll();
    }),
  );
  updateWelcome();

  // Nothing slow before activate() returns: brokers connect afterwards.
  void brokers
    .reload()
    .then(() => {
      updateWelcome();
      return brokers.autoConnect();
    })
    .catch((e) => log.error('starting brokers failed', e));

  return {
    api: { brokers, tree, events, demoSimulator: () => simulators.demoSimulator, agentProviderAsks: () => agentProviderAsks },
    log,
    dispose: () => lifetime.dispose(),
  };
}
