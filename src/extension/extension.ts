// Activation: build the services once, register the views and commands, and return a small API (used by
// the extension-host tests). Nothing slow happens before activate() returns: brokers connect afterwards.
import * as vscode from 'vscode';
import { EventLog } from '../core/events/event-log.js';
import { createLogger } from './log.js';
import { BrokerSecrets } from './brokers/secrets.js';
import { BrokerManager } from './brokers/manager.js';
import { DevicesTreeProvider } from './tree/provider.js';
import { ResultDocuments } from './documents.js';
import { brokerCommands } from './commands/brokers.js';
import { serverCommands } from './commands/servers.js';
import { registerCommands } from './commands/register.js';
import { createStatusBar, statusCommands } from './status-bar.js';
import { AgentExposure } from './mcp/exposure.js';
import { SimulatorService } from './simulators.js';
import { affects, setting } from './settings.js';
import { registerExtensionParts, type Services } from './services.js';

export interface ExtensionApi {
  services: Services;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const channel = vscode.window.createOutputChannel('MQTT MCP', { log: true });
  const log = createLogger(channel);
  const events = new EventLog(setting('timeline.maxEvents'));
  const secrets = new BrokerSecrets(context.secrets);
  const brokers = new BrokerManager(secrets, events, log);
  const exposure = new AgentExposure(context.globalState);
  const tree = new DevicesTreeProvider(brokers, (b, name) => exposure.isExposed(b.id, name));
  const treeView = vscode.window.createTreeView('mqttMcp.devices', { treeDataProvider: tree, showCollapseAll: true });
  const documents = new ResultDocuments(brokers);
  const simulators = new SimulatorService(context.extensionUri, brokers, events, log);
  const services: Services = { context, log, channel, events, brokers, exposure, tree, documents, simulators };

  // Protocol traces (every request, response, notification, presence change) at trace level only; the
  // level check keeps formatting off the hot path when nobody is tracing.
  const traceEvents = events.onEvent((e) => {
    if (channel.logLevel !== vscode.LogLevel.Trace) return;
    channel.trace(`[${e.kind}${e.source ? `/${e.source}` : ''}] ${e.summary}${e.topic ? ` (${e.topic})` : ''}${e.latencyMs !== undefined ? ` ${e.latencyMs.toFixed(2)} ms` : ''}`);
  });
  const updateWelcome = (): void => void vscode.commands.executeCommand('setContext', 'mqttMcp.noBrokers', brokers.list().length === 0);
  context.subscriptions.push(
    channel,
    { dispose: traceEvents },
    treeView,
    tree,
    documents,
    { dispose: () => void simulators.dispose() },
    { dispose: () => void brokers.dispose() },
    exposure,
    brokers.onDidChangeBroker(updateWelcome),
    vscode.window.registerTreeDataProvider('mqttMcp.simulators', simulators),
    ...registerCommands({
      ...brokerCommands({ brokers, secrets, startDemo: () => simulators.startDemo() }),
      ...serverCommands({ brokers, documents, refreshServer: (node) => tree.refreshServer(node), setExposed: (target, exposed) => exposure.set(target.broker.id, target.serverName, exposed) }),
      ...simulators.commands(),
      ...statusCommands(brokers),
      'mqttMcp.refresh': () => tree.refreshAll(),
      'mqttMcp.showLog': () => channel.show(),
    }, log),
    createStatusBar(brokers),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'timeline.maxEvents')) events.resize(setting('timeline.maxEvents'));
      if (affects(e, 'agent.exposeByDefault')) tree.refreshAll();
    }),
    ...registerExtensionParts(services),
  );
  updateWelcome();

  void brokers
    .reload()
    .then(() => {
      updateWelcome();
      return brokers.autoConnect();
    })
    .catch((e) => log.error('starting brokers failed', e));
  // The last step: the real-VS-Code harness waits for this line to know activate() finished without throwing.
  log.info(ACTIVATED_MESSAGE);
  return { services };
}

export const ACTIVATED_MESSAGE = 'MQTT MCP activated';

export function deactivate(): void {}
