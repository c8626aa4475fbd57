/// <reference types="mocha" />
// In the real extension host: with mqttMcp.deviceRequests.* set to "deny", a device's request is refused
// without asking (no panel opens) and the device is told which setting refused it; the refusal is in the
// timeline. (The consent UI itself is driven in test/vscode/ui/device-requests.test.mjs.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ExtensionApi } from '../../../src/extension/extension.js';
import { BROKER_ID, EXTENSION_ID, until } from './support/extension.js';

const textOf = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

suite('device requests', () => {
  const config = () => vscode.workspace.getConfiguration('mqttMcp');
  teardown(async () => {
    await config().update('deviceRequests.sampling', undefined, vscode.ConfigurationTarget.Global);
  });

  test('sampling set to "deny": the device is refused without a prompt, naming the setting', async () => {
    const services = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    const broker = await until('the e2e broker to connect', () => (services.brokers.get(BROKER_ID)?.state === 'connected' ? services.brokers.get(BROKER_ID) : undefined));
    await until('the thermostat', () => broker.client?.registry.get('home/thermostat/1')?.online);
    await config().update('deviceRequests.sampling', 'deny', vscode.ConfigurationTarget.Global);
    const session = await broker.client!.session('home/thermostat/1');
    const tabsBefore = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
    const result = (await session.callTool('explain_schedule')) as CallToolResult;
    assert.equal(result.isError, true);
    assert.equal(textOf(result), 'explain_schedule: the client did not sample (sampling: refused by the setting mqttMcp.deviceRequests.sampling).');
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, tabsBefore, 'no Device request panel opened');
    const consent = services.events.snapshot().filter((e) => e.kind === 'consent' && e.serverName === 'home/thermostat/1');
    assert.match(consent.at(-1)?.summary ?? '', /sampling\/createMessage refused by the setting mqttMcp\.deviceRequests\.sampling/);
  });
});
