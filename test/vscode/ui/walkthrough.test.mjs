// The Get Started walkthrough as a new user meets it: opened from the palette, its steps listed, and a step
// ticked off by doing what it asks (focusing the Devices view completes "Browse the devices").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, useSession } from '../harness.mjs';

const TITLE = 'Get Started with MQTT MCP DevKit';
let session;
before(async () => {
  session = await useSession();
});
after(async () => {
  await session?.close();
});

test('the Get Started walkthrough opens from the palette and a step completes when done', async () => {
  await session.withWorkbench('walkthrough', async (wb) => {
    // Earlier tests in the same profile may have done the steps already, and a visible Devices view would
    // leave nothing to complete: start from no progress with the Explorer in the side bar.
    await wb.runCommand('Developer: Reset Welcome Page Walkthrough Progress');
    await wb.openViewContainer('Explorer');
    await wb.runCommand('Welcome: Open Walkthrough...');
    await wb.pickQuickInputItem(TITLE);
    const page = wb.page;
    const steps = page.locator('.getting-started-step');
    await page.locator('.gettingStartedContainer').filter({ hasText: TITLE }).waitFor({ timeout: PATIENCE_MS });
    await steps.filter({ hasText: 'Start a local broker with demo devices' }).waitFor({ timeout: PATIENCE_MS });
    assert.equal(await steps.count(), 7, 'seven steps, one per thing a new user does');
    const browse = steps.filter({ hasText: 'Browse the devices' });
    await browse.click();
    const checked = browse.locator('.codicon-getting-started-step-checked, .codicon-pass-filled');
    assert.equal(await checked.count(), 0, 'the step is not done before the user does it');
    await wb.screenshot('walkthrough-open');
    // The step's own button focuses the Devices view; its completion event is onView:mqttMcp.devices.
    await browse.locator('a, .button-link, vscode-button, .monaco-button').filter({ hasText: 'Show the Devices View' }).first().click();
    await wb.view('Devices').waitFor({ timeout: PATIENCE_MS });
    await checked.first().waitFor({ timeout: PATIENCE_MS });
    await wb.screenshot('walkthrough-step-done');
  });
});
