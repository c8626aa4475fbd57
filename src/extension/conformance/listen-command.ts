// "Check a Device Connecting Here": the checker's packet mode from VS Code. Starts the embedded broker with the
// packet capture, tells the user the URL to point the device at, waits for its presence, then shows the usual
// report panel. The broker lives as long as the panel, so Rerun judges the same device again.
import * as vscode from 'vscode';
import type { ListeningChecker } from '../../core/conformance/index.js';
import { CommandFailure, type CommandHandlers } from '../commands/register.js';
import { loadCore } from '../core-loader.js';
import type { ConformanceReports } from './report-panel.js';

/** Scripts and tests may pass the port (and host) instead of being asked. */
interface ListenArgs {
  port?: number;
  host?: string;
}

export function listeningCheckCommands(reports: ConformanceReports): CommandHandlers {
  return { 'mqttMcp.checkListening': (args?: unknown) => checkListening(reports, (args ?? {}) as ListenArgs) };
}

async function checkListening(reports: ConformanceReports, args: ListenArgs): Promise<unknown> {
  const port = typeof args.port === 'number' ? String(args.port) : await vscode.window.showInputBox({
    title: 'Check a Device Connecting Here',
    prompt: 'Port for the device to connect to (0 picks a free one). The broker listens on all interfaces.',
    value: '1883',
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) <= 65535 ? undefined : 'a port number from 0 to 65535'),
  });
  if (port === undefined) return undefined;
  let listening: ListeningChecker;
  try {
    listening = await loadCore().conformance.startListening({ port: Number(port), host: typeof args.host === 'string' ? args.host : undefined });
  } catch (e) {
    throw new CommandFailure(`cannot listen on port ${port}: ${(e as Error).message}`);
  }
  const url = listening.deviceUrls[0] ?? listening.localUrl;
  let keep = false;
  try {
    const found = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Waiting for a device on ${listening.deviceUrls.join(' or ')}`, cancellable: true },
      (_progress, token) => {
        const aborter = new AbortController();
        token.onCancellationRequested(() => aborter.abort(new vscode.CancellationError()));
        void vscode.window.showInformationMessage(`MQTT MCP: point the device at ${url}`, 'Copy URL').then((choice) => {
          if (choice) void vscode.env.clipboard.writeText(url);
        });
        return listening.waitForDevice({ signal: aborter.signal });
      },
    );
    const panel = reports.show({
      broker: { id: `listen:${listening.localUrl}`, label: `packet mode on ${url}` },
      serverName: found.serverName,
      source: { broker: { url: listening.localUrl }, serverId: found.serverId, packets: listening.capture },
    });
    keep = true;
    panel.panel.onDidDispose(() => void listening.stop());
    return await panel.run();
  } catch (e) {
    if (e instanceof vscode.CancellationError) return undefined;
    throw e;
  } finally {
    if (!keep) await listening.stop();
  }
}
