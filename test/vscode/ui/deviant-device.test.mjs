// A device whose lists deviate like third-party firmware's (issue 13) in the Devices tree: its tools are
// listed beside a visible warning row per broken list, naming the method and what was wrong, and the palette
// still offers and calls them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { useSession } from '../harness.mjs';

const BROKER = 'E2E demo broker';
const SERVER = 'deviant-firmware';
const MALFORMED = 'resources/list: malformed result';
let session;
let device;

before(async () => {
  const url = process.env.MQTT_MCP_E2E_BROKER;
  assert.ok(url, 'MQTT_MCP_E2E_BROKER is set by run.mjs');
  // The deviant device is a test fixture (TypeScript), started on the e2e demo broker for this file only.
  const { startDeviantDevice } = await tsImport('../../fixtures/deviant-device.ts', import.meta.url);
  device = await startDeviantDevice({
    url,
    serverId: `deviant-${randomBytes(4).toString('hex')}`,
    serverName: SERVER,
    description: 'lists like paho-C and the EMQX TS SDK',
    lists: { resourcesAsContents: true, templatesUnimplemented: true },
  });
  session = await useSession();
});
after(async () => {
  await session?.close();
  await device?.stop();
});

/**
 * Expands a row and waits for one of its children. Waiting on the child rather than on the row's aria-expanded:
 * the row is re-rendered when the catalog arrives, and a handle on the old element never changes.
 */
async function expandTo(wb, label, childLabel) {
  const row = wb.treeItem('Devices', label);
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  const child = wb.treeItem('Devices', childLabel);
  await child.waitFor({ timeout: 60_000 });
  return child;
}

test('a device with broken lists shows its tools and a warning per broken list in the tree; the palette calls them', async () => {
  await session.withWorkbench('deviant-device-tree', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    const malformed = await expandTo(wb, SERVER, MALFORMED);
    assert.equal(await malformed.locator('.codicon-warning').count(), 1, 'the problem row has a warning icon');
    assert.match(await malformed.innerText(), /result has no "resources" array \(got keys: contents\)/);
    const unimplemented = wb.treeItem('Devices', 'resources/templates/list: advertised but not implemented');
    await unimplemented.waitFor({ timeout: 10_000 });
    assert.equal(await unimplemented.locator('.codicon-warning').count(), 1);
    await expandTo(wb, 'Tools', 'add');
    for (const tool of ['add', 'echo', 'fail', 'slow']) await wb.treeItem('Devices', tool).waitFor({ timeout: 10_000 });
    assert.match(await wb.treeItem('Devices', 'Resources').innerText(), /0 · incomplete/);
    assert.match(await wb.treeItem('Devices', 'Prompts').innerText(), /^\s*Prompts\s*1\s*$/);
    await wb.screenshot('deviant-device-tree');
    // The tooltip says what happened and that the rest is shown.
    await malformed.hover();
    const hover = wb.page.locator('.monaco-hover, .workbench-hover', { hasText: 'other lists are shown' }).first();
    await hover.waitFor({ timeout: 10_000 });
    assert.match(await hover.innerText(), /resources\/list: result has no "resources" array \(got keys: contents\)/);
    await wb.screenshot('deviant-device-tooltip');

    // One workbench for both parts: opening another costs most of a UI test's time budget on a loaded machine.
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('MQTT MCP: Invoke Tool');
    await wb.pickQuickInputItem(SERVER);
    await wb.pickQuickInputItem('echo');
    // Typing before the argument step is shown would land in the tool picker's filter box.
    await wb.quickInput.locator('.quick-input-title').filter({ hasText: /^echo/ }).waitFor({ timeout: 30_000 });
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('still callable');
    await input.press('Enter');
    // The device's answer on a line of its own (the arguments line also quotes the text); Monaco renders spaces as NBSP.
    await wb.page.locator('.editor-instance .view-line').filter({ hasText: /^\s*still\s+callable\s*$/ }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('deviant-device-invoke');
  });
});
