// "Check Conformance" from the palette: the report panel fills in group by group and ends with a summary;
// a spec-following demo device has no failures.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { useSession } from '../harness.mjs';

let session;
before(async () => {
  session = await useSession();
});
after(async () => {
  await session?.close();
});

test('Check Conformance reports the demo thermostat with no failures, grouped, with spec references', async () => {
  await session.withWorkbench('conformance-report', async (wb) => {
    await wb.openViewContainer('MQTT MCP');
    await wb.treeItem('Devices', 'E2E demo broker').waitFor({ timeout: 30_000 });
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
