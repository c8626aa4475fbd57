// A device asking the user, in real VS Code (code-server + Chromium), answered through the real UI: the
// printer's cancel_print asks for a confirmation (elicitation form: declined, then accepted with a reason)
// and the thermostat's explain_schedule asks for a model's answer (sampling: approved and answered through
// vscode.lm by the test model of test/vscode/lm-provider, installed next to the extension; then declined).
// Screenshots: test-results/vscode/device-requests-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { packageLmProvider, SESSION_ENV, useSession } from '../harness.mjs';
import { E2E_BROKER_NAME } from '../fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const usesFixtureBroker = Boolean(process.env.MQTT_MCP_E2E_BROKER);

let session;
let workbench;
let packed;

before(async () => {
  // run.mjs installs the test model into its shared code-server; alone, this file's own server gets it.
  if (!process.env[SESSION_ENV]) packed = mkdtempSync(join(tmpdir(), 'mqtt-mcp-lm-'));
  session = await useSession(packed ? { installExtensions: [packageLmProvider(packed)] } : {});
  workbench = await session.openWorkbench();
  if (!usesFixtureBroker) await workbench.runCommand('MQTT MCP: Start Local Broker with Demo Devices');
});

after(async () => {
  await workbench?.close();
  await session?.close();
  if (packed) rmSync(packed, { recursive: true, force: true });
});

/** The content frame of the webview whose document has `selector`. */
async function webviewFrame(selector, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of workbench.page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await sleep(250);
  }
}

/** Types `filter` into the open quick input and picks the first row whose label starts with it. */
async function pickFirst(filter, timeout) {
  await workbench.quickInput.locator('input').fill(filter, { timeout });
  const row = workbench.quickInput.locator('.monaco-list-row').filter({ has: workbench.page.locator('.label-name', { hasText: filter }) }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/** Opens the tool invoker from the palette (broker, server, tool), retrying while the tool is not listed yet. */
async function openInvoker(serverFilter, toolName) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await workbench.page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } });
    await workbench.runCommand('MQTT MCP: Open Tool Invoker');
    try {
      const title = await workbench.quickInput.locator('.quick-input-title').innerText({ timeout: 3000 }).catch(() => '');
      if (/^Choose a broker/i.test(title)) await pickFirst(usesFixtureBroker ? E2E_BROKER_NAME : 'Local broker (demo)', 5000);
      await pickFirst(serverFilter, 5000);
      await workbench.quickInput.locator('input').fill(toolName, { timeout: 10_000 });
      await workbench.pickQuickInputItem(toolName, { timeout: 10_000 });
      break;
    } catch (err) {
      await workbench.page.keyboard.press('Escape');
      if (Date.now() > deadline) throw err;
      await sleep(1000);
    }
  }
  const frame = await webviewFrame(`code:text-is("${toolName}")`);
  await frame.locator('vscode-button:has-text("Invoke")').waitFor();
  return frame;
}

/** The Device request panel's frame once it shows `heading`. */
const requestPanel = (heading) => webviewFrame(`h1:has-text("${heading}")`, { timeout: 45_000 });

function uiTest(name, shot, body) {
  test(name, async () => {
    try {
      await body();
    } catch (err) {
      await workbench.screenshot(`device-requests-FAILED-${shot}`).catch(() => {});
      throw err;
    }
  });
}

/** A fresh outcome of the invoker in `frame` (the previous one is replaced when a call starts). */
async function outcomeText(frame, pattern, timeout = 45_000) {
  const outcome = frame.locator('.outcome').filter({ hasText: pattern });
  await outcome.waitFor({ timeout });
  return outcome.innerText();
}

let printer;

uiTest('an elicitation form declined: the printer keeps printing and the call says so', 'elicit-declined', async () => {
  const start = await openInvoker('3D-Printer/ACH301/', 'start_print');
  await start.locator('[data-path="file"] vscode-textfield input').fill('vase.gcode');
  await start.locator('[data-path="duration_seconds"] vscode-textfield input').fill('600');
  await start.locator('vscode-button:has-text("Invoke")').click();
  await start.locator('.progress').waitFor({ state: 'visible', timeout: 20_000 });

  printer = await openInvoker('3D-Printer/ACH301/', 'cancel_print');
  await printer.locator('vscode-button:has-text("Invoke")').click();
  const panel = await requestPanel('The device asks for your input');
  assert.match(await panel.locator('.device-message').innerText(), /^Cancel printing vase\.gcode\? It is at \d+ %/);
  await panel.locator('[data-path="reason"]').waitFor();
  await workbench.screenshot('device-requests-elicit-form');
  await panel.locator('vscode-button:has-text("Decline")').click();
  const text = await outcomeText(printer, /was not done/);
  assert.match(text, /cancel_print was not done: the user declined the confirmation\./);
  await workbench.screenshot('device-requests-elicit-declined');
});

uiTest('an elicitation form accepted with a reason: the print is cancelled', 'elicit-accepted', async () => {
  await printer.locator('vscode-button:has-text("Invoke")').click();
  const panel = await requestPanel('The device asks for your input');
  await panel.locator('[data-path="reason"] vscode-textfield input').fill('wrong filament');
  await panel.locator('vscode-button:has-text("Accept")').click();
  const text = await outcomeText(printer, /Cancelled vase\.gcode/);
  assert.match(text, /Cancelled vase\.gcode at \d+ %\. Reason: wrong filament/);
  await workbench.screenshot('device-requests-elicit-accepted');
});

let thermostat;

uiTest('a sampling request approved: the test model answers through vscode.lm', 'sample-approved', async () => {
  thermostat = await openInvoker('home/thermostat/1', 'explain_schedule');
  await thermostat.locator('vscode-button:has-text("Invoke")').click();
  const panel = await requestPanel('The device asks for a language model');
  assert.match(await panel.locator('.sample-system').innerText(), /explain home heating/);
  assert.match(await panel.locator('.sample-message pre').first().innerText(), /^The room is [\d.]+ °C, the target/);
  await workbench.screenshot('device-requests-sample-prompt');
  await panel.locator('vscode-button:has-text("Approve")').click();
  // VS Code may ask once whether this extension may use the test provider's models: allow it.
  const answered = thermostat.locator('.outcome').filter({ hasText: /Test model:/ });
  const deadline = Date.now() + 45_000;
  while (!(await answered.count())) {
    const dialog = await workbench.dialogMessage();
    if (dialog && /language model/i.test(dialog)) await workbench.answerDialog('Allow');
    if (Date.now() > deadline) throw new Error(`no model answer (dialog: ${dialog ?? 'none'})`);
    await sleep(250);
  }
  assert.match(await answered.innerText(), /Test model: the heating works toward its target \(\d+ characters of prompt received\)/);
  await workbench.screenshot('device-requests-sample-approved');
});

uiTest('a sampling request declined: the device gets a clear refusal', 'sample-declined', async () => {
  await thermostat.locator('vscode-button:has-text("Invoke")').click();
  const panel = await requestPanel('The device asks for a language model');
  await panel.locator('vscode-button:has-text("Decline")').click();
  const text = await outcomeText(thermostat, /did not sample/);
  assert.match(text, /explain_schedule: the client did not sample \(sampling: the user declined the request\)\./);
  await workbench.screenshot('device-requests-sample-declined');
});

uiTest('each request and its answer is in the timeline', 'timeline', async () => {
  await workbench.runCommand('MQTT MCP: Show Event Timeline');
  const timeline = await webviewFrame('.tl-toolbar');
  await timeline.locator('input.filter-text').fill('by the user');
  for (const answer of ['input declined by the user', 'input accepted by the user', 'sampling declined by the user']) {
    await timeline.locator('.vlist .tl-row:not([hidden])').filter({ hasText: answer }).first().waitFor({ timeout: 10_000 });
  }
  await workbench.screenshot('device-requests-timeline');
  await timeline.locator('input.filter-text').fill('');
});
