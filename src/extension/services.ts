// The services activation builds, handed to the parts of the extension that plug in around them
// (webviews, the agent's MCP provider, conformance reports). Each part registers itself here.
import type * as vscode from 'vscode';
import type { EventLog } from '../core/events/event-log.js';
import type { Logger } from '../core/util/logger.js';
import type { BrokerManager } from './brokers/manager.js';
import type { DevicesTreeProvider } from './tree/provider.js';
import type { ResultDocuments } from './documents.js';
import type { AgentExposure } from './mcp/exposure.js';
import type { SimulatorService } from './simulators.js';
import { registerProxy } from './proxy.js';
import type { DeviceMcpProvider } from './mcp/provider.js';
import { registerMcpProvider } from './mcp/provider.js';
import { registerConformance } from './conformance/report-panel.js';
import { registerWebviews } from './webviews/index.js';
import { registerScaffold } from './scaffold.js';

export interface Services {
  context: vscode.ExtensionContext;
  log: Logger;
  channel: vscode.LogOutputChannel;
  events: EventLog;
  brokers: BrokerManager;
  exposure: AgentExposure;
  tree: DevicesTreeProvider;
  documents: ResultDocuments;
  simulators: SimulatorService;
  /** Set by the MCP provider part when it registers. */
  mcpProvider?: DeviceMcpProvider;
}

type Part = (services: Services) => vscode.Disposable[];

// Filled in as parts land: webviews (tool invoker, timeline), the MCP server definition provider,
// conformance reports.
const parts: Part[] = [registerWebviews, registerMcpProvider, registerConformance, registerProxy, registerScaffold];

export function registerExtensionParts(services: Services): vscode.Disposable[] {
  return parts.flatMap((register) => register(services));
}
