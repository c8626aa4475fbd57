/// <reference types="mocha" />
// In the real extension host: the configured demo broker connects, its devices reach the Devices tree, a
// device going offline changes its row, and VS Code's own MCP machinery starts our provider's servers and
// calls a device tool through the gateway, visible in the timeline with source "agent".
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { BROKER_ID, api, until } from './support/extension.js';
import type { ItemNode, TreeNode } from '../../../src/extension/tree/nodes.js';

async function labels(nodes: TreeNode[]): Promise<string[]> {
  return nodes.map((n) => String(n.getTreeItem().label));
}

suite('devices', () => {
  test('the configured broker connects and discovers the demo devices', async () => {
    const services = await api();
    const broker = await until('the e2e broker to connect', () => (services.brokers.get(BROKER_ID)?.state === 'connected' ? services.brokers.get(BROKER_ID) : undefined));
    const names = await until('demo devices', () => {
      const online = broker.client?.registry.servers().filter((s) => s.online).map((s) => s.name) ?? [];
      return online.includes('home/thermostat/1') && online.length >= 4 ? online : undefined;
    });
    assert.ok(names.some((n) => n.startsWith('3D-Printer/ACH301/')), names.join(', '));
  });

  test('the Devices tree groups servers by name and lists a server\'s tools lazily', async () => {
    const services = await api();
    const roots = await services.tree.getChildren();
    const brokerNode = roots.find((n) => n.id === `broker:${BROKER_ID}`);
    assert.ok(brokerNode, `broker row missing: ${(await labels(roots)).join(', ')}`);
    const top = await services.tree.getChildren(brokerNode);
    assert.deepEqual((await labels(top)).filter((l) => l === 'home' || l === '3D-Printer/ACH301'), ['3D-Printer/ACH301', 'home']);
    const home = top.find((n) => n.getTreeItem().label === 'home')!;
    const thermostatFolder = (await services.tree.getChildren(home)).find((n) => n.getTreeItem().label === 'thermostat')!;
    const server = (await services.tree.getChildren(thermostatFolder)).find((n) => n.getTreeItem().label === '1')!;
    assert.match(String(server.getTreeItem().contextValue), /^server\.online/);
    const categories = await services.tree.getChildren(server);
    const tools = categories.find((n) => n.getTreeItem().label === 'Tools')!;
    const toolRows = await services.tree.getChildren(tools);
    const toolNames = toolRows.map((n) => (n as ItemNode).entry.name);
    assert.ok(toolNames.includes('set_target'), toolNames.join(', '));
    // Rows show the tool's title when it has one, and the name in the tooltip.
    assert.ok((await labels(toolRows)).includes('Set target temperature'));
  });

  test('a device going offline turns its row offline without a manual refresh', async () => {
    const services = await api();
    await vscode.commands.executeCommand('mqttMcp.startDemo');
    const local = await until('the local demo broker', () => (services.brokers.get('local')?.state === 'connected' ? services.brokers.get('local') : undefined));
    const simulator = services.demoSimulator();
    assert.ok(simulator);
    const light = simulator.devices().find((d) => d.serverName === 'home/light/1');
    assert.ok(light);
    await until('the light discovered', () => local.client?.registry.get('home/light/1')?.online);
    await simulator.takeOffline(light.serverId, 'crash');
    await until('the light offline through its will', () => local.client?.registry.get('home/light/1')?.online === false);
    const roots = await services.tree.getChildren();
    const brokerNode = roots.find((n) => n.id === 'broker:local')!;
    const home = (await services.tree.getChildren(brokerNode)).find((n) => n.getTreeItem().label === 'home')!;
    const lightFolder = (await services.tree.getChildren(home)).find((n) => n.getTreeItem().label === 'light')!;
    const row = (await services.tree.getChildren(lightFolder)).find((n) => n.getTreeItem().label === '1')!;
    assert.match(String(row.getTreeItem().contextValue), /^server\.offline/);
    assert.equal(row.getTreeItem().description, 'offline');
    await simulator.bringOnline(light.serverId);
    await until('the light back online', () => local.client?.registry.get('home/light/1')?.online);
    await vscode.commands.executeCommand('mqttMcp.stopDemo');
  });

  test('VS Code starts the provider\'s servers and the agent calls a device tool through the gateway', async function () {
    this.timeout(180_000);
    const services = await api();
    await until('VS Code to ask the provider for servers', () => services.agentProviderAsks() > 0, 60_000);
    const toolName = await until(
      'the thermostat\'s set_target among the language-model tools',
      async () => {
        await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true, autoTrustChanges: true, promptType: 'none' });
        const names = vscode.lm.tools.map((t) => t.name);
        // VS Code names MCP tools mcp_<server slug>_<tool>; the slug comes from the device's serverInfo.
        return names.find((n) => n.startsWith('mcp_') && n.endsWith('_set_target'));
      },
      150_000,
    );
    const result = await vscode.lm.invokeTool(toolName, { input: { target: 22 }, toolInvocationToken: undefined });
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /Target set to 22/);
    const agentEvents = services.events.snapshot().filter((e) => e.source === 'agent' && e.method === 'tools/call');
    assert.ok(agentEvents.length > 0, 'the agent\'s call appears in the event log with source "agent"');
  });

  test('Check Conformance on a demo device reports no failures and records check events', async function () {
    this.timeout(180_000);
    const services = await api();
    const roots = await services.tree.getChildren();
    const brokerNode = roots.find((n) => n.id === `broker:${BROKER_ID}`)!;
    const home = (await services.tree.getChildren(brokerNode)).find((n) => n.getTreeItem().label === 'home')!;
    const folder = (await services.tree.getChildren(home)).find((n) => n.getTreeItem().label === 'thermostat')!;
    const server = (await services.tree.getChildren(folder)).find((n) => n.getTreeItem().label === '1')!;
    const report = await vscode.commands.executeCommand<{ summary: { pass: number; fail: number }; results: { id: string; verdict: string }[] }>('mqttMcp.checkConformance', server);
    assert.ok(report, 'the command returns the report');
    const failed = report.results.filter((r) => r.verdict === 'fail').map((r) => r.id);
    assert.deepEqual(failed, []);
    assert.ok(report.summary.pass > 10, `passes: ${report.summary.pass}`);
    assert.ok(services.events.snapshot().some((e) => e.kind === 'check'), 'check results reach the timeline');
  });
});
