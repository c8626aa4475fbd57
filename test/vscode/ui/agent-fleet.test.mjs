// The agent's view of a fleet as a user meets it: in auto mode, a broker with more exposed devices than
// mqttMcp.agent.fleetThreshold is one fleet server in "MCP: List Servers" instead of one server per device.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, useSession } from '../harness.mjs';

const BROKER = 'E2E demo broker';
let session;
before(async () => {
  session = await useSession();
  // The demo broker has more than two devices: auto mode offers its fleet server.
  session.updateUserSettings({ 'mqttMcp.agent.mode': 'auto', 'mqttMcp.agent.fleetThreshold': 2 });
});
after(async () => {
  // The files after this one share the user settings: per-device servers again.
  session?.updateUserSettings({ 'mqttMcp.agent.mode': undefined, 'mqttMcp.agent.fleetThreshold': undefined });
  await session?.close();
});

test('"MCP: List Servers" shows the broker\'s fleet server, not one server per device, past the threshold', async () => {
  await session.withWorkbench('mcp-list-fleet', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: PATIENCE_MS });
    await wb.expandTreeItem('Devices', 'home');
    await wb.treeItem('Devices', 'thermostat').waitFor({ timeout: PATIENCE_MS });
    await wb.runCommand('MCP: List Servers');
    const rows = wb.page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: `${BROKER} fleet` }).first().waitFor({ timeout: PATIENCE_MS });
    const texts = await rows.allInnerTexts();
    assert.ok(!texts.some((t) => t.includes('home/thermostat/1')), `no per-device server in fleet mode: ${texts.join(' | ')}`);
    await wb.screenshot('mcp-list-fleet');
    await wb.page.keyboard.press('Escape');
  });
});
