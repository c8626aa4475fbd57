// Find Device: a quick pick over every discovered server of every broker, answered from the registry's
// search index (the one the fleet server's find_devices uses) as the user types, never handing VS Code the
// whole fleet. At most FIND_DEVICE_LIMIT rows, then "N more: refine". Picking reveals the device in the tree; the
// row's button invokes one of its tools. Also the view's filter, whose state the title bar and message show.
import * as vscode from 'vscode';
import type { BrokerEntry, BrokerManager } from '../brokers/manager.js';
import { FIND_DEVICE_LIMIT, describeDeviceQuery, parseDeviceQuery, searchOf } from '../../core/discovery/search.js';
import type { DevicesTreeProvider } from '../tree/provider.js';
import { ShowMoreNode } from '../tree/show-more-node.js';
import type { TreeNode } from '../tree/tree-node.js';
import type { CommandHandlers } from './register.js';

const QUERY_HELP = 'words to find in names and descriptions, or a server-name filter with MQTT wildcards (home/+/thermostat/#)';

interface DeviceItem extends vscode.QuickPickItem {
  broker?: BrokerEntry;
  serverName?: string;
}

const INVOKE_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('play'), tooltip: 'Invoke a tool of this device' };

export interface DevicesViewDeps {
  brokers: BrokerManager;
  tree: DevicesTreeProvider;
  view: vscode.TreeView<TreeNode>;
}

/** The items for what the user typed so far, over every broker with a registry. */
export function deviceItems(brokers: BrokerManager, value: string): DeviceItem[] {
  const query = parseDeviceQuery(value);
  const withRegistry = brokers.list().filter((b) => b.client);
  const items: DeviceItem[] = [];
  let total = 0;
  let shown = 0;
  for (const broker of withRegistry) {
    const registry = broker.client!.registry;
    const found = searchOf(registry).find(query, FIND_DEVICE_LIMIT - shown);
    total += found.total;
    if (withRegistry.length > 1 && found.names.length) items.push({ label: broker.label, kind: vscode.QuickPickItemKind.Separator });
    for (const name of found.names) {
      const online = registry.isOnline(name);
      const description = registry.instancesOf(name)[0]?.description ?? '';
      items.push({
        label: name,
        description: online ? description : `offline${description ? ` · ${description}` : ''}`,
        iconPath: new vscode.ThemeIcon(online ? 'vm-active' : 'vm-outline'),
        // The rows are already the matches: VS Code's own label filter must not hide description matches.
        alwaysShow: true,
        buttons: online ? [INVOKE_BUTTON] : [],
        broker,
        serverName: name,
      });
      shown++;
    }
  }
  if (total > shown) items.push({ label: `${(total - shown).toLocaleString('en')} more: refine the search`, alwaysShow: true, iconPath: new vscode.ThemeIcon('ellipsis') });
  if (total === 0) items.push({ label: withRegistry.length ? `No device matches "${value.trim()}"` : 'No connected broker', alwaysShow: true });
  return items;
}

export function devicesViewCommands({ brokers, tree, view }: DevicesViewDeps): CommandHandlers {
  /** Opens the way to a server's row and selects it; a filter hiding it is cleared first. */
  const reveal = async (broker: BrokerEntry, serverName: string): Promise<TreeNode | undefined> => {
    let row = tree.serverRow(broker, serverName);
    if (!row && tree.filter) {
      void vscode.window.showInformationMessage(`The device filter hid ${serverName}: cleared to show it.`);
      tree.setFilter(undefined);
      row = tree.serverRow(broker, serverName);
    }
    if (row) await view.reveal(row, { select: true, focus: true, expand: false });
    return row;
  };

  return {
    'mqttMcp.findDevice': () =>
      new Promise<void>((resolve) => {
        const pick = vscode.window.createQuickPick<DeviceItem>();
        pick.title = 'Find Device';
        pick.placeholder = `Type ${QUERY_HELP}`;
        pick.matchOnDescription = true;
        pick.items = deviceItems(brokers, '');
        pick.onDidChangeValue((value) => (pick.items = deviceItems(brokers, value)));
        pick.onDidAccept(() => {
          const item = pick.selectedItems[0];
          if (!item?.broker || !item.serverName) return;
          pick.hide();
          void reveal(item.broker, item.serverName);
        });
        pick.onDidTriggerItemButton(({ item }) => {
          if (!item.broker || !item.serverName) return;
          pick.hide();
          void reveal(item.broker, item.serverName).then((row) => row && vscode.commands.executeCommand('mqttMcp.invokeTool', row));
        });
        pick.onDidHide(() => {
          pick.dispose();
          resolve();
        });
        pick.show();
      }),
    'mqttMcp.filterDevices': async () => {
      const value = await vscode.window.showInputBox({
        title: 'Filter Devices',
        prompt: `Show only the devices matching ${QUERY_HELP}`,
        value: tree.filter ? describeDeviceQuery(tree.filter) : '',
      });
      if (value !== undefined) tree.setFilter(parseDeviceQuery(value));
    },
    'mqttMcp.clearDeviceFilter': () => tree.setFilter(undefined),
    'mqttMcp.showMore': (arg?: unknown) => {
      if (arg instanceof ShowMoreNode) tree.showMore(arg);
    },
  };
}

/** Keeps the view's description, its message and the title bar's clear button in step with the filter. */
export function showFilterState(view: vscode.TreeView<TreeNode>, tree: DevicesTreeProvider): vscode.Disposable {
  const update = (): void => {
    const query = tree.filter;
    void vscode.commands.executeCommand('setContext', 'mqttMcp.devicesFiltered', !!query);
    view.description = query ? `filter: ${describeDeviceQuery(query)}` : undefined;
    if (query) {
      const { shown, known } = tree.counts();
      view.message = `${shown.toLocaleString('en')} of ${known.toLocaleString('en')} devices match "${describeDeviceQuery(query)}". Clear the filter from the title bar.`;
    } else {
      view.message = undefined;
    }
  };
  update();
  return tree.onDidChangeFilter(update);
}
