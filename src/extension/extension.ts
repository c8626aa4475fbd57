// Activation and deactivation. Everything is built by the composition root (container.ts); deactivate()
// returns its shutdown, so the editor waits until devices cleared their presence and ports are closed.
import type * as vscode from 'vscode';
import { createContainer, type Container, type ExtensionApi } from './container.js';

export type { ExtensionApi };

/** Logged as activate()'s last step: the real-VS-Code harness waits for it to know activation did not throw. */
export const ACTIVATED_MESSAGE = 'MQTT MCP activated';

let container: Container | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const built = createContainer(context);
  built.log.info(ACTIVATED_MESSAGE);
  container = built;
  // Also disposed with the subscriptions (the shutdown is shared, so this and deactivate do it once).
  context.subscriptions.push({ dispose: () => void built.dispose() });
  return built.api;
}

export function deactivate(): Promise<void> | undefined {
  const stopping = container?.dispose();
  container = undefined;
  return stopping;
}
