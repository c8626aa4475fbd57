// RBAC as a user meets it: the local demo broker started with a policy file (setting
// mqttMcp.localBroker.rbacPolicy) assigns this client the thermostat's "viewer" role, so the tree marks
// set_target with a lock and "not allowed: <reason>", and its invoker says why before anything is sent.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, useSession } from '../harness.mjs';

const LOCAL = 'Local broker (demo)';
const REASON = 'not allowed: role viewer does not allow tool set_target';
let session;
before(async () => {
  session = await useSession();
});
after(async () => {
  await session?.updateUserSettings({ 'mqttMcp.localBroker.rbacPolicy': '' });
  await session?.close();
});

async function webviewFrame(page, selector, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) if (await frame.locator(selector).count().catch(() => 0)) return frame;
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a tool the broker\'s role does not allow is marked in the tree, and the invoker says why', async () => {
  copyFileSync(join(repoRoot, 'examples/rbac-policy.yaml'), join(session.server.workspaceDir, 'rbac-policy.yaml'));
  await session.updateUserSettings({ 'mqttMcp.localBroker.rbacPolicy': 'rbac-policy.yaml' });
  await session.withWorkbench('rbac-tree', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.runCommand('MQTT MCP: Start Local Broker with Demo Devices');
    const local = await wb.expandTreeItem('Devices', LOCAL);
    // Other brokers (the run's shared demo broker) stay collapsed, so the first "home" row is the local one's.
    for (const row of await wb.view('Devices').locator('.monaco-list-row[aria-level="1"]').all()) {
      if ((await row.getAttribute('aria-expanded')) === 'true' && !(await row.innerText()).includes(LOCAL)) await row.locator('.monaco-tl-twistie').click();
    }
    await local.waitFor();
    for (const label of ['home', 'thermostat', '1', 'Tools']) await wb.expandTreeItem('Devices', label);
    const marked = wb.view('Devices').locator('.monaco-list-row', { hasText: REASON });
    await marked.waitFor({ timeout: 30_000 });
    assert.match(await marked.innerText(), /Set target temperature/);
    const allowed = wb.treeItem('Devices', 'Get status');
    assert.doesNotMatch(await allowed.innerText(), /not allowed/, 'get_status is allowed for viewers');
    assert.equal(await marked.locator('.codicon-lock').count(), 1, 'a lock icon marks it');
    await marked.hover();
    await wb.page.locator('.monaco-hover', { hasText: REASON }).waitFor({ timeout: 10_000 });
    await wb.screenshot('rbac-tree-not-allowed');

    await marked.click();
    const frame = await webviewFrame(wb.page, '.not-allowed');
    assert.equal((await frame.locator('.not-allowed').innerText()).trim(), REASON);
    // Invoke is refused with the reason, by the extension itself: nothing reaches the broker.
    await frame.locator('vscode-button:has-text("Invoke")').click();
    await frame.locator('.outcome', { hasText: REASON }).waitFor({ timeout: 20_000 });
    await wb.screenshot('rbac-invoker-not-allowed');
  });
});
