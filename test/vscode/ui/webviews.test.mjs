// The tool invoker and the event timeline in real VS Code (code-server + Chromium), on the demo devices:
// fill a form, see validation at the field, invoke, see every content type and the timeline entries,
// cancel a slow call, and check that hostile device strings stay inert text. Screenshots go to
// test-results/vscode/webviews-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, countActivations, useSession } from '../harness.mjs';
import { E2E_BROKER_NAME } from '../fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let session;
let workbench;

before(async () => {
  session = await useSession();
  writeFileSync(join(session.server.workspaceDir, 'hostile.device.json'), JSON.stringify(HOSTILE_DEVICE, null, 2));
  workbench = await session.openWorkbench();
  // run.mjs provides a demo broker of its own (fixtures.mjs); alone, the test starts the local one.
  if (!usesFixtureBroker) await workbench.runCommand('MQTT MCP: Start Local Broker with Demo Devices');
});

const usesFixtureBroker = Boolean(process.env.MQTT_MCP_E2E_BROKER);

after(async () => {
  await workbench?.close();
  await session?.close();
});

/** The content frame of the webview whose document has `selector` (panels and views are separate iframes). */
async function webviewFrame(selector, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of workbench.page.frames()) {
      const found = await frame.locator(selector).count().catch(() => 0);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await sleep(250);
  }
}

/**
 * Resolves once the frame has no image still loading and has drawn two frames since: anything a click or
 * an injected element started (an onerror, a navigation) has happened by then. A wait on the page's state,
 * not on a clock, so a loaded machine only makes it slower.
 */
async function settled(frame) {
  await frame.evaluate(async () => {
    const loading = [...document.images].filter((img) => !img.complete);
    await Promise.all(loading.map((img) => new Promise((r) => {
      img.addEventListener('load', r, { once: true });
      img.addEventListener('error', r, { once: true });
    })));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

/** Picks `label` in the open quick input after typing it (long lists only render the rows in view). */
async function pickFiltered(label, options) {
  await workbench.quickInput.locator('input').fill(label, { timeout: options?.timeout ?? 15_000 });
  await workbench.pickQuickInputItem(label, options);
}

/** Answers "Choose a broker" when more than one broker is connected. */
async function chooseBrokerIfAsked() {
  const title = await workbench.quickInput.locator('.quick-input-title').innerText({ timeout: 3000 }).catch(() => '');
  if (/^Choose a broker/i.test(title)) await pickFiltered(usesFixtureBroker ? E2E_BROKER_NAME : 'Local broker (demo)', { timeout: 5000 });
}

/** Opens the invoker from the palette: broker, server, tool. Servers appear after discovery. */
async function openInvoker(serverName, toolName) {
  // Twice the patience: a simulator started just before must connect and publish its presence first.
  const deadline = Date.now() + 2 * PATIENCE_MS;
  for (;;) {
    // A focused webview takes focus back when a quick pick closes, which would close the next quick pick.
    await workbench.page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } });
    await workbench.runCommand('MQTT MCP: Open Tool Invoker');
    try {
      await chooseBrokerIfAsked();
      await pickFiltered(serverName, { timeout: 5000 });
      await pickFiltered(toolName, { timeout: 10_000 });
      break;
    } catch (err) {
      await workbench.page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`the tool invoker's pickers did not offer ${serverName} / ${toolName} within ${(2 * PATIENCE_MS) / 1000} s (is the device discovered?)`, { cause: err });
      }
      await sleep(1000);
    }
  }
  const frame = await webviewFrame(`h1:has-text("${toolName}"), code:text-is("${toolName}")`);
  await frame.locator('vscode-button:has-text("Invoke")').waitFor();
  return frame;
}

/** A test that leaves a screenshot of the window when it fails. */
function uiTest(name, shot, body) {
  test(name, async () => {
    try {
      await body();
    } catch (err) {
      await workbench.screenshot(`webviews-FAILED-${shot}`).catch(() => {});
      throw err;
    }
  });
}

async function invokeAndWait(frame, { timeout = 20_000 } = {}) {
  await frame.locator('vscode-button:has-text("Invoke")').click();
  await frame.locator('.outcome').waitFor({ timeout });
  return frame.locator('.outcome');
}

uiTest('the invoker fills set_target from its schema, validates at the field, invokes, and the timeline shows the call', 'set-target', async () => {
  const frame = await openInvoker('home/thermostat/1', 'set_target');
  await frame.locator('.field-name:text-is("Target temperature")').or(frame.locator('.field-name:text-is("Target")')).first().waitFor();
  assert.ok(await frame.locator('.required').count(), 'the required field is marked');
  assert.match(await frame.locator('.type-hint').first().innerText(), /number, 5–32/);

  const input = frame.locator('[data-path="target"] vscode-textfield input');
  await input.fill('40');
  await frame.locator('[data-path="target"] .field-error').filter({ hasText: /32/ }).waitFor({ timeout: 5000 });
  await input.fill('25.5');
  await frame.locator('[data-path="target"] .field-error:empty').waitFor({ state: 'attached', timeout: 5000 });

  // Raw JSON mode mirrors the form, and edits there come back to the form.
  await frame.locator('vscode-button:has-text("JSON")').click();
  const raw = frame.locator('vscode-textarea.raw-json textarea');
  assert.deepEqual(JSON.parse(await raw.inputValue()), { target: 25.5 });
  await raw.fill('{ "target": 26 }');
  await frame.locator('vscode-button:has-text("Form")').click();
  assert.equal(await input.inputValue(), '26');

  const outcome = await invokeAndWait(frame);
  const text = await outcome.innerText();
  assert.match(text, /Result|Tool error/, text);
  await frame.locator('.history-entry').first().waitFor();
  await workbench.screenshot('webviews-invoker-set-target');

  await workbench.runCommand('MQTT MCP: Show Event Timeline');
  const timeline = await webviewFrame('.tl-toolbar');
  await timeline.locator('input.filter-text').fill('set_target');
  const row = timeline.locator('.vlist .tl-row:not([hidden])').filter({ hasText: 'invoker' }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await timeline.locator('.detail-fields').waitFor();
  const detail = await timeline.locator('.detail').innerText();
  assert.match(detail, /topic/);
  assert.match(detail, /set_target/);
  await workbench.screenshot('webviews-timeline');
  await timeline.locator('input.filter-text').fill('');
});

uiTest('kitchen-sink get_everything shows text, image, audio, resources and a passing outputSchema check', 'kitchen-sink', async () => {
  const frame = await openInvoker('lab/kitchen-sink/1', 'get_everything');
  const outcome = await invokeAndWait(frame);
  assert.equal(await outcome.locator('img[src^="data:image/png;base64,"]').count(), 1);
  assert.equal(await outcome.locator('audio[controls][src^="data:audio/wav;base64,"]').count(), 1);
  assert.match(await outcome.locator('.resource').innerText(), /notes\.txt/);
  assert.match(await outcome.locator('.schema-check').innerText(), /Matches the outputSchema/);
  await workbench.screenshot('webviews-invoker-kitchen-sink');

  // A resource link opens in an editor through the host (the webview itself never navigates).
  await outcome.locator('.resource-link button.link').click();
  await workbench.page.locator('.tabs-container .tab', { hasText: /level/ }).first().waitFor({ timeout: 15_000 });
});

uiTest('JSON-RPC errors and isError results are shown distinctly', 'errors', async () => {
  const thrown = await openInvoker('lab/kitchen-sink/1', 'throw_error');
  const rpc = await invokeAndWait(thrown);
  assert.match(await rpc.locator('.outcome-title').innerText(), /JSON-RPC error -32603/);
  assert.equal(await rpc.evaluate((el) => el.classList.contains('outcome-rpc-error')), true);
  const failing = await openInvoker('lab/kitchen-sink/1', 'fail_always');
  const tool = await invokeAndWait(failing);
  assert.match(await tool.locator('.outcome-title').innerText(), /isError/);
});

uiTest('Cancel aborts a slow call while its progress is shown', 'cancel', async () => {
  const frame = await openInvoker('lab/kitchen-sink/1', 'slow_task');
  await frame.locator('[data-path="seconds"] vscode-textfield input').fill('30');
  await frame.locator('vscode-button:has-text("Invoke")').click();
  await frame.locator('.progress-text').filter({ hasText: /Step \d+ of 10/ }).waitFor({ timeout: 15_000 });
  await workbench.screenshot('webviews-invoker-progress');
  await frame.locator('vscode-button:has-text("Cancel")').click();
  await frame.locator('.outcome-title:text-is("Cancelled")').waitFor({ timeout: 10_000 });
  assert.match(await frame.locator('.history-entry').first().innerText(), /cancelled/);

  await workbench.runCommand('MQTT MCP: Show Event Timeline');
  const timeline = await webviewFrame('.tl-toolbar');
  await timeline.locator('input.filter-text').fill('cancelled');
  await timeline.locator('.vlist .tl-row:not([hidden])').first().waitFor({ timeout: 10_000 });
  await timeline.locator('input.filter-text').fill('');
});

uiTest('hostile device strings render as inert text', 'hostile', async () => {
  await workbench.page.keyboard.press('Control+P');
  await workbench.quickInput.locator('input').fill('hostile.device.json');
  await workbench.pickQuickInputItem('hostile.device.json');
  await workbench.page.locator('.tabs-container .tab', { hasText: 'hostile.device.json' }).waitFor();
  await workbench.runCommand('MQTT MCP: Run Device Simulator');
  await chooseBrokerIfAsked();

  const frame = await openInvoker('lab/hostile/1', 'pwn');
  const outcome = await invokeAndWait(frame);
  await settled(frame); // an injected <img onerror> would have fired by now
  const pwned = await frame.evaluate(() => window.__pwned ?? null);
  assert.equal(pwned, null, 'no device string ran as script');
  // The page's own DOM (component internals live in shadow roots): no element made from device markup.
  const injected = await frame.evaluate(() => [...document.querySelectorAll('img:not([src^="data:image/"]), script:not([src]):not(#_vscodeApiScript), svg, iframe, object, embed')].map((el) => el.outerHTML.slice(0, 200)));
  assert.deepEqual(injected, []);
  assert.match(await frame.locator('.tool-header').innerText(), /<img src=x onerror=/);
  assert.match(await outcome.innerText(), /<img src=x onerror=/);
  assert.match(await outcome.locator('.invalid').first().innerText(), /Not shown/); // the SVG "image"
  assert.equal(await frame.evaluate(() => document.querySelectorAll('a[href]').length), 0, 'no device URI became a link');
  const before = await frame.evaluate(() => location.href);
  await outcome.locator('.resource-link button.link').click();
  await settled(frame); // a navigation the click started would have begun by now
  assert.equal(await frame.evaluate(() => location.href), before, 'the webview did not navigate');
  assert.equal(await frame.evaluate(() => window.__pwned ?? null), null);
  await workbench.screenshot('webviews-invoker-hostile');
});

uiTest('the timeline shows an imported 100,000-event JSONL file virtualized, marked as imported, with rejected lines counted', 'import-100k', async () => {
  const file = join(session.server.workspaceDir, 'events-100k.jsonl');
  const lines = [];
  const kinds = ['request', 'response', 'notification', 'presence'];
  for (let seq = 1; seq <= 100_000; seq++) {
    lines.push(JSON.stringify({ seq, time: 1_700_000_000_000 + seq * 10, kind: kinds[seq % 4], summary: `synthetic event #${seq}`, broker: 'bench', serverName: `bench/device/${seq % 7}`, method: 'tools/call', size: 100 + (seq % 50), payload: { n: seq, html: PWN } }));
  }
  lines.splice(10, 0, 'not json at all', '{"seq": "x"}');
  writeFileSync(file, lines.join('\n'));

  // code-server's open dialog is a quick input: wait until it has listed the folder, then type the path.
  await workbench.runCommand('MQTT MCP: Import Event Timeline');
  await workbench.quickInput.locator('.monaco-list-row', { hasText: 'events-100k.jsonl' }).waitFor();
  const pathInput = workbench.quickInput.locator('input');
  await pathInput.fill(file);
  // The dialog selects the typed file in its list once it has read the path; Enter before that would accept
  // the folder instead.
  await workbench.page.waitForFunction((name) => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')]
    .some((row) => (row.classList.contains('focused') || row.classList.contains('selected')) && row.textContent.includes(name)), 'events-100k.jsonl', { timeout: 30_000 })
    .catch((err) => {
      throw new Error('the open dialog did not select events-100k.jsonl within 30 s of typing its path', { cause: err });
    });
  await pathInput.press('Enter');
  const timeline = await webviewFrame('.tl-toolbar');
  const banner = timeline.locator('.banner-imported');
  await banner.waitFor({ timeout: 60_000 });
  assert.match(await banner.innerText(), /Imported events-100k\.jsonl: 100,000 events, 2 lines rejected/);
  await timeline.locator('.status').filter({ hasText: /^100,000 events/ }).waitFor({ timeout: 60_000 });

  const stats = await timeline.evaluate(async () => {
    const list = document.querySelector('.vlist');
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      list.scrollTop = Math.floor(Math.random() * list.scrollHeight);
      await frame();
    }
    list.scrollTop = 50_000 * 22;
    await frame();
    await frame();
    return {
      msPerScroll: (performance.now() - started) / 50,
      rowsInDom: document.querySelectorAll('.vlist .tl-row').length,
      visibleText: [...document.querySelectorAll('.vlist .tl-row:not([hidden])')].map((r) => r.textContent).join('\n'),
    };
  });
  assert.ok(stats.rowsInDom < 100, `only the rows in view are in the DOM (${stats.rowsInDom})`);
  // Reported, not asserted: a time depends on the machine's load (speed targets live in bench/); the DOM row
  // count above is what proves the list is virtualized.
  console.log(`# timeline: ${stats.msPerScroll.toFixed(1)} ms per scroll jump through 100,000 rows`);
  assert.match(stats.visibleText, /synthetic event #500\d\d/);
  await workbench.screenshot('webviews-timeline-imported-100k');

  await timeline.locator('input.filter-text').fill('event #99999');
  await timeline.locator('.status').filter({ hasText: /^1 of 100,000 events/ }).waitFor({ timeout: 10_000 });
  await timeline.locator('.vlist .tl-row:not([hidden])').first().click();
  await timeline.locator('.detail pre.json').filter({ hasText: '"n": 99999' }).waitFor();
  await timeline.locator('input.filter-text').fill('');
  await timeline.locator('.status').filter({ hasText: /^100,000 events/ }).waitFor({ timeout: 10_000 });
  await banner.locator('button.link').click();
  await banner.waitFor({ state: 'detached', timeout: 10_000 });
});

uiTest('after a window reload the invoker panels come back with their arguments, and truncation of the timeline is visible', 'reload', async () => {
  // A small event limit from the workspace settings, read when the extension activates after the reload.
  const settingsDir = join(session.server.workspaceDir, '.vscode');
  mkdirSync(settingsDir, { recursive: true });
  writeFileSync(join(settingsDir, 'settings.json'), JSON.stringify({ 'mqttMcp.timeline.maxEvents': 100 }));
  try {
    workbench.activationsBefore = countActivations(session.server.userDataDir);
    await workbench.page.reload();
    await workbench.waitForExtensionActivated();
    // Only the visible tab's webview is restored right away; the others when they are shown.
    await workbench.page.locator('.tabs-container .tab', { hasText: 'set_target · home/thermostat/1' }).click({ timeout: 30_000 });
    const restored = await webviewFrame('code:text-is("set_target")', { timeout: 60_000 });
    await restored.locator('[data-path="target"] vscode-textfield input').waitFor({ timeout: 30_000 });
    assert.equal(await restored.locator('[data-path="target"] vscode-textfield input').inputValue(), '26');
    assert.ok(await restored.locator('.history-entry').count(), 'the history survived the reload');
    await workbench.screenshot('webviews-invoker-restored');

    await workbench.runCommand('MQTT MCP: Show Event Timeline');
    const timeline = await webviewFrame('.tl-toolbar');
    // The filter is restored with the view. A window reloaded right after the last test cleared it may come
    // back with the state VS Code saved before (seen at load 19): this test is about the event limit, so start
    // from no filter.
    const restoredFilter = timeline.locator('input.filter-text');
    if (await restoredFilter.inputValue()) {
      console.log(`# timeline: the reload restored an older filter "${await restoredFilter.inputValue()}"; cleared`);
      await restoredFilter.fill('');
    }
    const dropped = timeline.locator('.banner-dropped');
    for (let i = 0; i < 80 && !(await dropped.count()); i++) await invokeAndWait(restored);
    assert.match(await dropped.innerText({ timeout: 5000 }), /^\s*[\d,]+ older events dropped \(limit 100\b/);
    // The status line is redrawn after the rows arrive: wait for it to count the 100 kept events.
    await timeline.locator('.status').filter({ hasText: /^100 events/ }).waitFor().catch(async (err) => {
      throw new Error(`the timeline status did not come to "100 events" (it says "${await timeline.locator('.status').innerText()}")`, { cause: err });
    });
    await workbench.screenshot('webviews-timeline-dropped');
  } finally {
    rmSync(settingsDir, { recursive: true, force: true });
  }
});

const PWN = `<img src=x onerror="window.__pwned=1">`;
const HOSTILE_DEVICE = {
  serverName: 'lab/hostile/{n}',
  title: `Hostile ${PWN}`,
  description: `Device whose strings try to run script: ${PWN}`,
  serverIdPrefix: 'hostile-',
  version: '1.0.0',
  functions: [
    {
      name: 'pwn',
      title: `pwn ${PWN}`,
      description: `<script>window.__pwned=3</script> ${PWN}`,
      parameters: {
        type: 'object',
        properties: {
          note: { type: 'string', title: `Note ${PWN}`, description: `<a href="javascript:window.__pwned=4">click</a>` },
          pick: { enum: [PWN, '<b onmouseover="window.__pwned=5">x</b>'] },
        },
      },
      returns: {
        content: [
          { type: 'text', text: `${PWN} <a href="javascript:window.__pwned=6">link</a>` },
          { type: 'image', mimeType: 'image/svg+xml', data: 'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0id2luZG93Ll9fcHduZWQ9NyIvPg==' },
          { type: 'resource_link', uri: 'javascript:window.__pwned=8', name: PWN },
        ],
      },
    },
  ],
};
