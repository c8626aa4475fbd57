// The Devices view as a user meets it: the demo broker's devices in the tree, a tool invoked from the
// palette with its result shown, the devices listed by "MCP: List Servers", a conformance report, the log
// channel in the Output panel, and the Add Broker flow refusing a bad URL and keeping the password out of
// settings.json. The tests share one window while they pass (see sharedWorkbench).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { useSession } from '../harness.mjs';

const BROKER = 'E2E demo broker';
let session;
let shared;
before(async () => {
  session = await useSession();
  shared = session.sharedWorkbench();
});
after(async () => {
  await shared?.close();
  await session?.close();
});

async function typeIntoQuickInput(wb, text) {
  const input = wb.page.locator('.quick-input-widget input');
  await input.fill(text);
  return input;
}

test('the Devices tree shows the demo broker\'s devices, grouped by name', async () => {
  await shared.use('devices-tree', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    await wb.expandTreeItem('Devices', 'home');
    await wb.expandTreeItem('Devices', 'thermostat');
    await wb.expandTreeItem('Devices', '1');
    await wb.expandTreeItem('Devices', 'Tools');
    await wb.treeItem('Devices', 'Set target temperature').waitFor({ timeout: 30_000 });
    assert.ok(await wb.treeItem('Devices', '3D-Printer/ACH301').isVisible(), 'the printer folder joins its single-child levels');
    await wb.screenshot('devices-tree');
  });
});

test('Invoke Tool from the palette asks for the arguments and shows the device\'s answer', async () => {
  await shared.use('invoke-tool-palette', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    await wb.runCommand('MQTT MCP: Invoke Tool');
    await wb.pickQuickInputItem('home/thermostat/1');
    await wb.pickQuickInputItem('set_target');
    await wb.quickInput.locator('.quick-input-title').filter({ hasText: 'set_target (1/1)' }).waitFor({ timeout: 30_000 });
    const input = await typeIntoQuickInput(wb, '99');
    // Validation as the user types: 99 is above the schema's maximum.
    await wb.page.locator('.quick-input-widget .quick-input-message').filter({ hasText: /32/ }).waitFor({ timeout: 10_000 });
    await input.fill('21.5');
    await input.press('Enter');
    const editor = wb.page.locator('.editor-instance .view-lines');
    await editor.filter({ hasText: 'Target set to 21.5' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('invoke-tool-result');
  });
});

test('"MCP: List Servers" lists the discovered devices', async () => {
  await shared.use('mcp-list-servers', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    await wb.runCommand('MCP: List Servers');
    const rows = wb.page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: 'home/thermostat/1' }).first().waitFor({ timeout: 30_000 });
    const texts = await rows.allInnerTexts();
    assert.ok(texts.some((t) => t.includes('lab/kitchen-sink/1')), texts.join(' | '));
    await wb.screenshot('mcp-list-servers');
    await wb.page.keyboard.press('Escape');
  });
});

test('Check Conformance reports the demo thermostat with no failures, grouped, with spec references', async () => {
  await shared.use('conformance-report', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    await wb.runCommand('MQTT MCP: Check Conformance');
    await wb.pickQuickInputItem('home/thermostat/1');
    const report = wb.webview();
    const summary = report.locator('[data-testid="summary"]');
    await summary.filter({ hasNotText: 'Checking' }).waitFor({ timeout: 90_000 });
    const text = await summary.innerText();
    assert.match(text, / 0 failed/, text);
    assert.ok(await report.locator('[data-check="initialize.answer-topic"].pass').isVisible(), 'the RPC-topic rule passed');
    assert.ok(await report.locator('h2', { hasText: 'Initialization' }).isVisible());
    await wb.screenshot('conformance-report');
  });
});

test('the "MQTT MCP" log channel can be selected in the Output panel', async () => {
  await shared.use('output-channel', async (wb) => {
    await wb.showOutputChannel('MQTT MCP');
    assert.equal(await wb.selectedOutputChannel(), 'MQTT MCP');
    assert.ok(await wb.page.locator('.part.panel .output-view').isVisible(), 'the Output view is shown');
    await wb.screenshot('output-channel-mqtt-mcp');
  });
});

test('Add Broker refuses a bad URL as it is typed and keeps the password out of settings.json', async () => {
  await shared.use('add-broker', async (wb) => {
    await wb.runCommand('MQTT MCP: Add Broker');
    await wb.quickInput.locator('.quick-input-title').filter({ hasText: '(1/5): URL' }).waitFor({ timeout: 30_000 });
    const input = await typeIntoQuickInput(wb, 'http://example');
    await wb.page.locator('.quick-input-widget .quick-input-message').filter({ hasText: /unsupported scheme/ }).waitFor({ timeout: 10_000 });
    await wb.screenshot('add-broker-bad-url');
    await input.fill(process.env.MQTT_MCP_E2E_BROKER);
    await input.press('Enter');
    await wb.answerInputStep('(2/5): Name', 'Secret broker');
    await wb.answerInputStep('(3/5): User name', 'alice');
    await wb.answerInputStep('(4/5): Password', 'hunter2-very-secret');
    await wb.answerInputStep('(5/5): Server-name filters', '#');
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', 'Secret broker').waitFor({ timeout: 30_000 });
    await wb.screenshot('add-broker-added');
    const settingsFile = join(session.server.userDataDir, 'User', 'settings.json');
    const settings = readFileSync(settingsFile, 'utf8');
    assert.match(settings, /Secret broker/);
    assert.match(settings, /"username": "alice"/);
    assert.doesNotMatch(settings, /hunter2/);
    // Leave the shared code-server as it was: later test files expect one connected broker.
    await wb.runCommand('MQTT MCP: Remove Broker');
    await wb.pickQuickInputItem('Secret broker');
    await wb.answerDialog('Remove');
    await wb.treeItem('Devices', 'Secret broker').waitFor({ state: 'detached', timeout: 30_000 });
    assert.doesNotMatch(readFileSync(settingsFile, 'utf8'), /Secret broker/);
  });
});
