// Watching a resource in real VS Code: "Watch Resource" from the tree's context menu on the demo
// thermostat's temperature, the Watch panel plotting at least 10 readings that drift (read from the
// data attributes the panel exposes, not from the canvas), the tree row showing the latest value, Pause
// freezing the plot while readings go on, CSV export through the save dialog, Unwatch from the panel, Watch
// Again, Unwatch Resource from the tree, and closing the panel of a running watch.
// Screenshots: test-results/vscode/watch-*.png.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { useSession } from '../harness.mjs';
import { E2E_BROKER_NAME } from '../fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const usesFixtureBroker = Boolean(process.env.MQTT_MCP_E2E_BROKER);
const BROKER = usesFixtureBroker ? E2E_BROKER_NAME : 'Local broker (demo)';

let session;
before(async () => {
  session = await useSession();
});
after(async () => {
  await session?.close();
});

/** The content frame of the webview whose document has `selector` (panels are separate iframes). */
async function webviewFrame(wb, selector, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of wb.page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await sleep(250);
  }
}

const plotInfo = (frame) => frame.locator('[data-testid="watch-plot"]').evaluate((el) => ({
  points: Number(el.dataset.points ?? 0),
  values: (el.dataset.values ?? '').split(',').filter(Boolean).map(Number),
  series: el.dataset.series,
}));
const readings = (frame) => frame.locator('.counts').evaluate((el) => Number(el.dataset.readings ?? 0));

test('Watch Resource plots the thermostat\'s drifting temperature; zoom, pause, CSV export and unwatch work', async (t) => {
  const started = Date.now();
  const phase = (name) => t.diagnostic(`${name} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await session.withWorkbench('watch', async (wb) => {
    phase('workbench open');
    if (!usesFixtureBroker) await wb.runCommand('MQTT MCP: Start Local Broker with Demo Devices');
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    for (const label of ['home', 'thermostat', '1', 'Resources']) await wb.expandTreeItem('Devices', label);
    const row = wb.treeItem('Devices', 'temperature');
    await row.waitFor();
    await wb.contextMenuAction(row, 'Watch Resource');

    phase('watch started');
    const frame = await webviewFrame(wb, '[data-testid="watch-plot"]');
    const mode = frame.locator('[data-testid="watch-mode"]');
    await mode.filter({ hasText: 'By subscription' }).waitFor();
    assert.equal(await mode.getAttribute('data-mode'), 'subscribe', 'the simulator advertises resources.subscribe');

    // The simulator ticks once a second; each changed value is one notifications/resources/updated.
    await frame.waitForFunction(() => Number(document.querySelector('[data-testid="watch-plot"]')?.dataset.points ?? 0) >= 10, undefined, { timeout: 60_000 });
    phase('10 points plotted');
    const plotted = await plotInfo(frame);
    assert.ok(plotted.points >= 10, `${plotted.points} points`);
    assert.equal(plotted.series, 'value', 'the numeric field of {name, type, value, unit}');
    assert.ok(new Set(plotted.values).size > 1, `the temperature drifts: ${plotted.values.join(', ')}`);
    assert.ok(plotted.values.every((v) => v > -10 && v < 45), plotted.values.join(', '));
    assert.ok(await frame.locator('canvas').count(), 'uPlot drew a canvas');
    assert.match(await frame.locator('table.texts').innerText(), /unit\s+°C/, 'the non-numeric fields are in the table');
    // The tree row shows the latest value and how it is watched.
    await row.filter({ hasText: /°C · subscribed/ }).waitFor();
    await wb.screenshot('watch-plot');

    // Drag-zoom on the plot, then Reset Zoom.
    const over = await frame.locator('.u-over').boundingBox();
    await wb.page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
    await wb.page.mouse.down();
    await wb.page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
    await wb.page.mouse.up();
    await frame.locator('[data-testid="watch-plot"][data-zoomed="true"]').waitFor();
    await wb.screenshot('watch-zoomed');
    await frame.locator('[data-action="reset-zoom"]').click();
    await frame.locator('[data-testid="watch-plot"][data-zoomed="false"]').waitFor();


    // Pause freezes what is drawn; readings go on and Resume draws them.
    await frame.locator('[data-action="pause"]').click();
    await frame.locator('[data-testid="watch-status"][data-state="paused"]').waitFor();
    const frozen = (await plotInfo(frame)).points;
    const readingsAtPause = await readings(frame);
    await frame.waitForFunction((n) => Number(document.querySelector('.counts')?.dataset.readings ?? 0) >= n + 2, readingsAtPause, { timeout: 30_000 });
    assert.equal((await plotInfo(frame)).points, frozen, 'the plot did not move while paused');
    await wb.screenshot('watch-paused');
    await frame.locator('[data-action="pause"]').filter({ hasText: 'Resume' }).click();
    await frame.waitForFunction((n) => Number(document.querySelector('[data-testid="watch-plot"]')?.dataset.points ?? 0) > n, frozen, { timeout: 10_000 });

    phase('zoomed, paused and resumed');
    // CSV export through the save dialog (code-server's simple dialog, a path in a quick input).
    await frame.locator('[data-action="export-csv"]').click();
    const pathInput = wb.quickInput.locator('input');
    await pathInput.waitFor({ state: 'visible' });
    // The dialog fills in the folder, then the suggested name: type ours only after it is done.
    await wb.page.waitForFunction(() => /\.csv$/.test(document.querySelector('.quick-input-widget input')?.value ?? ''));
    const csvPath = join(session.server.workspaceDir, `watch-e2e-${Date.now()}.csv`);
    await pathInput.fill(csvPath);
    await pathInput.press('Enter');
    const status = frame.locator('[data-testid="watch-status"][data-exported]');
    await status.waitFor({ state: 'attached', timeout: 30_000 });
    const file = await status.getAttribute('data-exported');
    assert.equal(file, csvPath);
    assert.ok(existsSync(file), `${file} was written`);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'time,value');
    assert.ok(lines.length >= 11, `${lines.length} CSV lines`);

    // Unwatch: the panel says it stopped and keeps the data; the tree row drops the watch.
    await frame.locator('[data-action="unwatch"]').click();
    await frame.locator('[data-testid="watch-status"][data-state="ended"]').waitFor();
    assert.match(await frame.locator('[data-testid="watch-status"]').innerText(), /^Stopped/);
    await wb.treeItem('Devices', 'temperature').filter({ hasNotText: 'subscribed' }).waitFor();
    await wb.screenshot('watch-unwatched');

    // Watch Again opens a new watch; Unwatch Resource in the tree's context menu ends it.
    await frame.locator('[data-action="watch-again"]').click();
    const again = await webviewFrame(wb, '[data-testid="watch-status"][data-state="watching"]');
    await row.filter({ hasText: /°C · subscribed/ }).waitFor();
    await wb.contextMenuAction(row, 'Unwatch Resource');
    await again.locator('[data-testid="watch-status"][data-state="ended"]').waitFor();
    await wb.treeItem('Devices', 'temperature').filter({ hasNotText: 'subscribed' }).waitFor();

    // Closing the panel of a running watch ends it too.
    await wb.contextMenuAction(row, 'Watch Resource');
    await row.filter({ hasText: /°C · subscribed/ }).waitFor();
    await wb.runCommand('View: Close All Editors');
    await wb.treeItem('Devices', 'temperature').filter({ hasNotText: 'subscribed' }).waitFor();
  });
});
