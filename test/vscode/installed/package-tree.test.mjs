// Smoke tests of the packaged extension as users install it: the .vsix built by `npm run package`, installed
// into code-server with --install-extension, with no development path in the workbench URL. They cover what
// breaks only in the package: files left out by .vscodeignore, the minified bundles, the lazily required core.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, EXTENSION_ID, installedExtensionUnderTest, useSession } from '../harness.mjs';

const BROKER = 'E2E demo broker';
const MAX_VSIX_BYTES = 2 * 1024 * 1024;
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

test('the .vsix is under 2 MB and installs the bundles, media and schema, without node_modules or source maps', () => {
  const vsix = process.env.VSCODE_E2E_VSIX;
  assert.ok(vsix && existsSync(vsix), `the packaged extension exists (${vsix})`);
  assert.ok(statSync(vsix).size < MAX_VSIX_BYTES, `${statSync(vsix).size} bytes`);
  const folder = readdirSync(session.server.extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
  assert.ok(folder, `installed into ${session.server.extensionsDir}`);
  const installed = join(session.server.extensionsDir, folder);
  for (const file of ['package.json', 'dist/extension.js', 'dist/extension-core.js', 'dist/webview/invoker.js',
    'dist/webview/watch.js', 'dist/webview/watch.css', 'media/watch.css', 'dist/webview/codicon.ttf', 'schemas/device-model.schema.json', 'media/walkthrough/demo.md']) {
    assert.ok(existsSync(join(installed, file)), `${file} is in the installed extension`);
  }
  assert.ok(!existsSync(join(installed, 'node_modules')), 'dependencies are bundled, not shipped');
  assert.ok(!existsSync(join(installed, 'src')), 'sources stay out of the package');
  // A development build leaves source maps in dist/ (4.5 MB of them): they must not ride along.
  const maps = readdirSync(join(installed, 'dist'), { recursive: true }).filter((name) => String(name).endsWith('.map'));
  assert.deepEqual(maps, [], 'no source maps in the package');
});

test('the installed copy activates, discovers the broker\'s devices and lists their tools', async () => {
  await shared.use('installed-tree', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: PATIENCE_MS });
    await wb.expandTreeItem('Devices', 'home', { timeout: PATIENCE_MS });
    await wb.expandTreeItem('Devices', 'thermostat', { timeout: PATIENCE_MS });
    await wb.expandTreeItem('Devices', '1', { timeout: PATIENCE_MS });
    await wb.expandTreeItem('Devices', 'Tools', { timeout: PATIENCE_MS });
    await wb.treeItem('Devices', 'Set target temperature').waitFor({ timeout: PATIENCE_MS });
    await wb.screenshot('installed-tree');
  });
});

test('the installed copy invokes a tool from the palette', async () => {
  await shared.use('installed-invoke', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: PATIENCE_MS });
    await wb.runCommand('MQTT MCP: Invoke Tool');
    await wb.pickQuickInputItem('home/thermostat/1');
    await wb.pickQuickInputItem('set_target');
    // Typing before the argument step is shown would land in the tool picker's filter box.
    await wb.quickInput.locator('.quick-input-title').filter({ hasText: 'set_target (1/1)' }).waitFor({ timeout: PATIENCE_MS });
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('19.5');
    await input.press('Enter');
    await wb.page.locator('.editor-instance .view-lines').filter({ hasText: 'Target set to 19.5' }).waitFor({ timeout: PATIENCE_MS });
    await wb.screenshot('installed-invoke');
  });
});
