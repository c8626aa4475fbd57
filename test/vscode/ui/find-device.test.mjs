// A big fleet as a user meets it: 10,000 devices (retained presence only, published here to the demo broker)
// in one folder, listed 500 at a time with "Show 500 more"; Find Device typed into the real quick pick,
// revealing the device it found in the tree; the view filter shown in the view and cleared again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { useSession } from '../harness.mjs';

const BROKER = 'E2E demo broker';
const COUNT = 10_000;
const FOLDER = 'ui-fleet/hall';
const name = (i) => `${FOLDER}/sensor-${i}`;
const topic = (i) => `$mcp-server/presence/uifleet${i}/${name(i)}`;

/** Publishes (or, with clear, removes) the fleet's retained presence; resolves once the broker has it all. */
async function publishFleet(clear = false) {
  const client = await mqtt.connectAsync(process.env.MQTT_MCP_E2E_BROKER, { protocolVersion: 5, reconnectPeriod: 0 });
  try {
    for (let i = 0; i < COUNT; i++) {
      const payload = clear
        ? ''
        : JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: name(i), description: `hall sensor ${i}`, meta: {} } });
      // QoS 1 every 500 (and last): its PUBACK comes after the broker took every earlier publish.
      if (i % 500 === 499 || i === COUNT - 1) await client.publishAsync(topic(i), payload, { qos: 1, retain: true });
      else client.publish(topic(i), payload, { qos: 0, retain: true });
    }
  } finally {
    await client.endAsync();
  }
}

/** Presses End in the focused tree until `row` is rendered (the list renders only what is in view). */
async function endUntilVisible(wb, row, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await wb.page.keyboard.press('End');
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

let session;
before(async () => {
  await publishFleet();
  session = await useSession();
});
after(async () => {
  await session?.close();
  // The demo broker is shared with the other UI tests: leave it as it was.
  if (process.env.MQTT_MCP_E2E_BROKER) await publishFleet(true);
});

test('a folder of 10,000 devices pages with "Show 500 more"; Find Device reveals a device; the filter shows in the view', async () => {
  await session.withWorkbench('find-device', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', BROKER).waitFor({ timeout: 30_000 });
    // ui-fleet holds only hall: the two levels are one row.
    await wb.expandTreeItem('Devices', FOLDER);
    // The list renders only the rows in view: go to its end, where the 501st row is.
    const more = wb.treeItem('Devices', 'Show 500 more');
    await endUntilVisible(wb, more);
    assert.match(await more.innerText(), /500 of 10,000 shown/);
    await more.click();
    await endUntilVisible(wb, wb.view('Devices').locator('.monaco-list-row', { hasText: '1,000 of 10,000 shown' }));
    await wb.screenshot('fleet-tree-show-more');

    await wb.runCommand('MQTT MCP: Find Device');
    await wb.quickInput.locator('input').fill('sensor-7777');
    await wb.pickQuickInputItem(name(7777));
    // Revealed: sensor-7777 lies beyond the pages shown, so its folder's page grew to hold it; selected.
    const row = wb.treeItem('Devices', 'sensor-7777');
    await row.waitFor({ timeout: 30_000 });
    await wb.page.waitForFunction((el) => el.getAttribute('aria-selected') === 'true', await row.elementHandle(), { timeout: 30_000 });
    await wb.screenshot('fleet-find-device-revealed');

    await wb.runCommand('MQTT MCP: Find Device');
    await wb.quickInput.locator('input').fill('hall sensor 12');
    await wb.quickInput.locator('.monaco-list-row', { hasText: 'hall sensor 1012' }).waitFor({ timeout: 30_000 });
    // More than 200 match: the last row (scrolled to: the list renders only what is in view) says how many more.
    const moreRow = wb.quickInput.locator('.monaco-list-row', { hasText: /more: refine the search/ });
    const deadline = Date.now() + 30_000;
    while (!(await moreRow.isVisible())) {
      if (Date.now() > deadline) throw new Error('no "more: refine the search" row at the end of the picker');
      // PageDown in the quick input moves its active row a page down the list.
      await wb.page.keyboard.press('PageDown');
      await moreRow.waitFor({ state: 'visible', timeout: 500 }).catch(() => undefined);
    }
    await wb.screenshot('fleet-find-device-picker');
    await wb.page.keyboard.press('Escape');

    await wb.runCommand('MQTT MCP: Filter Devices…');
    const input = wb.quickInput.locator('input');
    await input.fill('sensor-123');
    await input.press('Enter');
    // sensor-123 and sensor-1230..1239.
    await wb.view('Devices').getByText(/11 of [\d,]+ devices match "sensor-123"/).waitFor({ timeout: 30_000 });
    await wb.treeItem('Devices', 'sensor-1239').waitFor({ timeout: 30_000 });
    await wb.screenshot('fleet-devices-filter');
    await wb.runCommand('MQTT MCP: Clear Device Filter');
    await wb.view('Devices').getByText(/devices match/).waitFor({ state: 'detached', timeout: 30_000 });
  });
});
