// Smoke tests of the installed .vsix (see package-tree.test.mjs): the agent's view of the devices, and the
// embedded broker with the demo devices from the example models shipped in the package.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, installedExtensionUnderTest, useSession } from '../harness.mjs';

const BROKER = 'E2E demo broker';
let session;
let shared;
before(async () => {
  assert.ok(installedExtensionUnderTest(), 'run by test/vscode/run.mjs in its installed-.vsix phase');
  session = await useSession();
  // The tests of this file share one window while they pass (see sharedWorkbench).
  shared = session.sharedWorkbench();
});
after(async () => {
  await shared?.close();
  await session?.close();
});

test('the installed copy offers the devices to "MCP: List Servers"', async () => {
  await shared.use('installed-mcp-list', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: PATIENCE_MS });
    await wb.runCommand('MCP: List Servers');
    await wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'home/thermostat/1' }).first().waitFor({ timeout: PATIENCE_MS });
    await wb.screenshot('installed-mcp-list');
    await wb.page.keyboard.press('Escape');
  });
});

test('the installed copy starts its embedded broker with the demo devices', async () => {
  await shared.use('installed-demo', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.runCommand('MQTT MCP: Start Local Broker with Demo Devices');
    await wb.expandTreeItem('Devices', 'Local broker (demo)', { timeout: PATIENCE_MS });
    // The demo's devices come from the example models shipped in the package: wait for a device folder as the
    // local broker's first child (the E2E broker has the same folders, so a label alone would prove nothing).
    await wb.page.waitForFunction(() => {
      const rows = [...globalThis.document.querySelectorAll('.monaco-list-row[aria-level]')]
        .map((r) => ({ level: r.getAttribute('aria-level'), label: r.querySelector('.label-name')?.textContent?.trim() }));
      const at = rows.findIndex((r) => r.label === 'Local broker (demo)');
      return at >= 0 && rows[at + 1]?.level === '2' && ['3D-Printer/ACH301', 'home', 'lab/kitchen-sink'].includes(rows[at + 1].label);
    }, undefined, { timeout: PATIENCE_MS });
    await wb.screenshot('installed-demo');
    await wb.runCommand('MQTT MCP: Stop Local Broker');
    await wb.treeItem('Devices', 'Local broker (demo)').waitFor({ state: 'detached', timeout: PATIENCE_MS });
  });
});
