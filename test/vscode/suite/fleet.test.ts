/// <reference types="mocha" />
// In the real extension host: with mqttMcp.agent.mode = fleet, VS Code's own MCP machinery starts the broker's
// fleet server from our provider, and its tools work through vscode.lm.invokeTool against the demo devices:
// find_devices by filter, call_device_tool with the device's real answer, and a bad argument refused with the
// device schema's error before anything is sent; the user's call_many cap, changed while it runs, applies.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension/extension.js';
import { BROKER_ID, api, until } from './support/extension.js';

/** The tool's text parts; a tool result flagged isError may also arrive as a thrown error, whose message is its text. */
async function invoke(name: string, input: object): Promise<string> {
  try {
    const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
    return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
  } catch (e) {
    return `thrown: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const agentCalls = (services: ExtensionApi, serverName: string): number =>
  services.events.snapshot().filter((e) => e.source === 'agent' && e.method === 'tools/call' && e.serverName === serverName && e.direction === 'out').length;

suite('fleet server', () => {
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('mqttMcp');

  suiteTeardown(async () => {
    // The UI tests after this suite share the user settings: per-device servers again.
    await config().update('agent.mode', undefined, vscode.ConfigurationTarget.Global);
    await config().update('agent.maxCallMany', undefined, vscode.ConfigurationTarget.Global);
  });

  test('with agent.mode = fleet the agent finds devices and calls a device tool through the broker\'s fleet server', async function () {
    this.timeout(240_000);
    const services = await api();
    const broker = await until('the e2e broker connected with the demo devices', () => {
      const b = services.brokers.get(BROKER_ID);
      return b?.state === 'connected' && b.client?.registry.get('home/thermostat/1')?.online ? b : undefined;
    }, 60_000);
    await until('VS Code to ask the provider for servers', () => services.agentProviderAsks() > 0, 60_000);
    const asksBefore = services.agentProviderAsks();
    await config().update('agent.mode', 'fleet', vscode.ConfigurationTarget.Global);
    await until('VS Code to ask the provider again after the mode changed', () => services.agentProviderAsks() > asksBefore, 60_000);

    const tools = await until(
      'the fleet server\'s find_devices and call_device_tool among the language-model tools',
      async () => {
        await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true, autoTrustChanges: true, promptType: 'none' });
        const names = vscode.lm.tools.map((t) => t.name);
        const find = names.find((n) => n.startsWith('mcp_') && n.endsWith('_find_devices'));
        const call = names.find((n) => n.startsWith('mcp_') && n.endsWith('_call_device_tool'));
        const many = names.find((n) => n.startsWith('mcp_') && n.endsWith('_call_many'));
        return find && call && many ? { find, call, many } : undefined;
      },
      180_000,
    );
    // The per-device servers are withdrawn: their tools leave the agent's list.
    await until('the per-device set_target tool withdrawn in fleet mode', () => !vscode.lm.tools.some((t) => t.name.endsWith('_set_target')), 60_000);

    const found = JSON.parse(await invoke(tools.find, { filter: 'home/+/1' })) as { total: number; devices: { name: string; online: boolean }[] };
    const names = found.devices.map((d) => d.name);
    assert.ok(names.includes('home/thermostat/1'), `find_devices home/+/1: ${names.join(', ')}`);
    assert.ok(names.every((n) => /^home\/[^/]+\/1$/.test(n)), `only names the filter matches: ${names.join(', ')}`);
    assert.equal(found.total, names.length);
    const printers = JSON.parse(await invoke(tools.find, { text: 'printer' })) as { devices: { name: string }[] };
    assert.ok(printers.devices.length > 0 && printers.devices.every((d) => d.name.startsWith('3D-Printer/')), JSON.stringify(printers));

    const sentBefore = agentCalls(services, 'home/thermostat/1');
    const ok = await invoke(tools.call, { server_name: 'home/thermostat/1', tool: 'set_target', arguments: { target: 23 } });
    assert.match(ok, /Target set to 23/);
    // The call reached the real device, with source "agent", in the timeline.
    assert.equal(agentCalls(services, 'home/thermostat/1'), sentBefore + 1, 'one agent tools/call to home/thermostat/1 in the event log');
    const status = broker.client?.registry.get('home/thermostat/1');
    assert.ok(status?.online);

    const bad = await invoke(tools.call, { server_name: 'home/thermostat/1', tool: 'set_target', arguments: { target: 99 } });
    assert.match(bad, /invalid_arguments/);
    assert.match(bad, /target/);
    assert.match(bad, /32/, `the schema's maximum in the error: ${bad}`);
    assert.match(bad, /nothing was sent/);
    assert.equal(agentCalls(services, 'home/thermostat/1'), sentBefore + 1, 'no tools/call went to the device for the bad arguments');

    // The user's cap on call_many applies to the running fleet server as soon as the setting changes.
    assert.ok(names.length > 1, `home/+/1 matches several devices: ${names.join(', ')}`);
    await config().update('agent.maxCallMany', 1, vscode.ConfigurationTarget.Global);
    const capped = await invoke(tools.many, { filter: 'home/+/1', tool: 'get_status' });
    assert.match(capped, new RegExp(`${names.length} online devices match .*above the cap of 1 set by the user`));
  });
});
