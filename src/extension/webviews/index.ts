// The webview part of the extension: the tool invoker panels and the event timeline view.
import type * as vscode from 'vscode';
import type { Services } from '../services.js';
import { registerToolInvoker, ToolInvokers } from './invoker/index.js';
import { registerTimeline } from './timeline/index.js';
import { TimelineViewProvider } from './timeline/provider.js';

export function registerWebviews(services: Services): vscode.Disposable[] {
  const invokers = new ToolInvokers(services);
  const timeline = new TimelineViewProvider(services.context.extensionUri, services.events, services.log);
  return [...registerToolInvoker(services, invokers), ...registerTimeline(services, timeline)];
}
