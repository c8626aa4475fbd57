/// <reference types="mocha" />
// In the real extension host: a watched resource whose device goes offline. The watch ends by itself (no
// Unwatch): the tree row drops its value and its "watched" context, and comes back as a plain resource row
// that can be watched again once the device is back.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension/extension.js';
import { EXTENSION_ID, until } from './support/extension.js';
import type { ItemNode, TreeNode } from '../../../src/extension/tree/nodes.js';

async function child(services: ExtensionApi, parent: TreeNode | undefined, label: string): Promise<TreeNode | undefined> {
  return (await services.tree.getChildren(parent)).find((n) => n.getTreeItem().label === label || n.id === label);
}

/** The temperature row of the local demo's thermostat, freshly rendered. */
async function temperatureRow(services: ExtensionApi): Promise<ItemNode | undefined> {
  let node = await child(services, undefined, 'broker:local');
  for (const label of ['home', 'thermostat', '1', 'Resources', 'temperature']) {
    if (!node) return undefined;
    node = await child(services, node, label);
  }
  return node as ItemNode | undefined;
}

suite('watched resources', () => {
  test('a device going offline ends the watch of its resource, and the tree row says so', async () => {
    const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(extension);
    const services = await extension.activate();
    await vscode.commands.executeCommand('mqttMcp.startDemo');
    const local = await until('the local demo broker', () => (services.brokers.get('local')?.state === 'connected' ? services.brokers.get('local') : undefined));
    const simulator = services.demoSimulator();
    assert.ok(simulator);
    const thermostat = simulator.devices().find((d) => d.serverName === 'home/thermostat/1');
    assert.ok(thermostat);
    await until('the thermostat discovered', () => local.client?.registry.get('home/thermostat/1')?.online);
    const row = await until('the temperature row', () => temperatureRow(services));
    await vscode.commands.executeCommand('mqttMcp.watchResource', row);
    const watched = await until('the row to show the watched value', async () => {
      const item = (await temperatureRow(services))?.getTreeItem();
      return item?.contextValue === 'resource.watched' && /°C · subscribed$/.test(String(item.description)) ? item : undefined;
    });
    assert.equal((watched.iconPath as vscode.ThemeIcon).id, 'eye');

    await simulator.takeOffline(thermostat.serverId, 'crash');
    await until('the thermostat offline through its will', () => local.client?.registry.get('home/thermostat/1')?.online === false);
    await simulator.bringOnline(thermostat.serverId);
    const after = await until('the row back as a plain resource', async () => {
      const item = (await temperatureRow(services))?.getTreeItem();
      return item?.contextValue === 'resource' ? item : undefined;
    });
    assert.doesNotMatch(String(after.description), /subscribed/, 'the watch ended with the device session');
    await vscode.commands.executeCommand('mqttMcp.stopDemo');
  });
});
