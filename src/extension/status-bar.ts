// "2/3 brokers · 5 devices" in the status bar, warning-coloured while a broker is failing; the quick status
// lists each broker with its state and offers the obvious next actions.
import * as vscode from 'vscode';
import type { BrokerManager } from './brokers/manager.js';
import type { CommandId } from './commands/ids.js';
import type { CommandHandlers } from './commands/register.js';

export function createStatusBar(brokers: BrokerManager): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('mqttMcp.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'MQTT MCP';
  item.command = 'mqttMcp.showStatus';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = (): void => {
    timer = undefined;
    const list = brokers.list();
    const connected = list.filter((b) => b.state === 'connected');
    const failing = list.filter((b) => b.state === 'failed' || b.state === 'reconnecting');
    const devices = connected.reduce((n, b) => n + (b.client?.registry.onlineCount ?? 0), 0);
    item.text = `$(radio-tower) ${connected.length}/${list.length} · ${devices} device${devices === 1 ? '' : 's'}`;
    item.tooltip = `MQTT MCP: ${connected.length} of ${list.length} broker(s) connected, ${devices} MCP server(s) online${failing.length ? `\n${failing.map((b) => `${b.label}: ${b.state}${b.reason ? ` (${b.reason})` : ''}`).join('\n')}` : ''}`;
    item.backgroundColor = failing.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (list.length) item.show();
    else item.hide();
  };
  // Presence storms would otherwise re-render the item thousands of times a second.
  const schedule = (): void => {
    timer ??= setTimeout(update, 250);
  };
  update();
  const subs = [brokers.onDidChangeBroker(schedule), brokers.onDidChangeServers(schedule)];
  return vscode.Disposable.from(item, ...subs, { dispose: () => timer && clearTimeout(timer) });
}

export function statusCommands(brokers: BrokerManager): CommandHandlers {
  return { 'mqttMcp.showStatus': () => showStatus(brokers) };
}

async function showStatus(brokers: BrokerManager): Promise<void> {
  const list = brokers.list();
  const picks = list.map((b) => ({
    label: `$(${b.state === 'connected' ? 'pass-filled' : b.state === 'failed' ? 'error' : 'circle-outline'}) ${b.label}`,
    description: `${b.state}${b.client ? ` · ${b.client.registry.onlineCount} online` : ''}`,
    detail: b.reason,
    id: b.id,
  }));
  const actions: { label: string; command: CommandId }[] = [
    { label: '$(add) Add Broker', command: 'mqttMcp.addBroker' },
    { label: '$(rocket) Start Local Broker with Demo Devices', command: 'mqttMcp.startDemo' },
    { label: '$(list-flat) Show Event Timeline', command: 'mqttMcp.showTimeline' },
    { label: '$(output) Show Log', command: 'mqttMcp.showLog' },
  ];
  const picked = await vscode.window.showQuickPick([...picks, { label: '', kind: vscode.QuickPickItemKind.Separator }, ...actions], { title: 'MQTT MCP status' });
  if (!picked) return;
  if ('command' in picked) await vscode.commands.executeCommand(picked.command);
  else if ('id' in picked) {
    const entry = brokers.get(picked.id);
    if (entry) await vscode.commands.executeCommand(entry.state === 'connected' ? 'mqttMcp.disconnectBroker' : 'mqttMcp.connectBroker', undefined);
  }
}
