// Reloading the window with a demo running: deactivate() is awaited, so before the old extension host goes
// - a device simulated on the shared broker clears its retained presence itself (the empty message carries
//   the server's MCP user properties: it is the graceful clear, not the broker publishing the will),
// - the local demo's devices clear theirs on the embedded broker before that broker closes,
// and afterwards a fresh subscriber finds no stale presence and the demo broker's port is free.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { countActivations, useSession } from '../harness.mjs';
import { E2E_BROKER_NAME } from '../fixtures.mjs';

const sharedBroker = process.env.MQTT_MCP_E2E_BROKER;
const PROBE_NAME = 'e2e/shutdown-probe/1';
const PROBE_MODEL = { serverName: PROBE_NAME, description: 'Reload test probe', functions: [{ name: 'noop', description: 'Does nothing.', returns: { text: 'ok' } }] };

let session;
before(async () => {
  session = await useSession();
});
after(async () => {
  await session?.updateUserSettings({ 'mqttMcp.demo.port': 0 });
  await session?.close();
});

async function until(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Every presence message a subscriber sees, with its user properties. */
async function presenceWatcher(url) {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `e2e-watch-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
  const seen = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain, userProperties: packet.properties?.userProperties ?? {} }));
  await client.subscribeAsync('$mcp-server/presence/#', { qos: 1 });
  return { client, seen };
}

/** The retained presence a new subscriber gets: everything delivered before a marker sent after subscribing. */
async function retainedPresence(url) {
  const { client, seen } = await presenceWatcher(url);
  const marker = `e2e/marker/${Math.random().toString(36).slice(2)}`;
  let markerSeen = false;
  client.on('message', (topic) => (markerSeen ||= topic === marker));
  await client.subscribeAsync(marker, { qos: 1 });
  await client.publishAsync(marker, 'x', { qos: 1 });
  await until('the marker after the retained messages', () => markerSeen, 10_000);
  await client.endAsync();
  return seen.filter((m) => m.retain && m.payload !== '');
}

test('a window reload stops every device gracefully and frees the demo broker\'s port', { skip: !sharedBroker && !process.env.CI && 'needs the shared demo broker of run.mjs (MQTT_MCP_E2E_BROKER)' }, async () => {
  assert.ok(sharedBroker, 'MQTT_MCP_E2E_BROKER is set (run through test/vscode/run.mjs)');
  const demoPort = await freePort();
  await session.updateUserSettings({ 'mqttMcp.demo.port': demoPort });
  writeFileSync(join(session.server.workspaceDir, 'shutdown-probe.device.json'), JSON.stringify(PROBE_MODEL, null, 2));
  const shared = await presenceWatcher(sharedBroker);
  let local;
  try {
    await session.withWorkbench('shutdown-reload', async (wb) => {
      await wb.runCommand('MQTT MCP: Start Local Broker with Demo Devices');
      await until('the demo broker on its port', async () => !(await portIsFree(demoPort)));
      local = await presenceWatcher(`mqtt://127.0.0.1:${demoPort}`);
      await until('the demo devices\' presence on the local broker', () => local.seen.some((m) => m.payload !== '' && m.topic.endsWith('/home/light/1')));

      await wb.page.keyboard.press('Control+P');
      await wb.quickInput.locator('input').fill('shutdown-probe.device.json');
      await wb.pickQuickInputItem('shutdown-probe.device.json');
      await wb.page.locator('.tabs-container .tab', { hasText: 'shutdown-probe.device.json' }).waitFor();
      await wb.runCommand('MQTT MCP: Run Device Simulator');
      await wb.pickQuickInputItem(E2E_BROKER_NAME); // two brokers are connected: the shared one and the demo
      const online = await until('the probe\'s presence on the shared broker', () => shared.seen.find((m) => m.payload !== '' && m.topic.endsWith(`/${PROBE_NAME}`)));
      await wb.screenshot('shutdown-before-reload');

      const activations = countActivations(session.server.userDataDir);
      await wb.runCommand('Developer: Reload Window');
      await until('the extension activated in the reloaded window', () => countActivations(session.server.userDataDir) > activations, 90_000);
      await wb.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      await wb.screenshot('shutdown-after-reload');

      const cleared = shared.seen.filter((m) => m.topic === online.topic && m.payload === '');
      assert.ok(cleared.length > 0, 'the probe cleared its presence');
      assert.equal(cleared[0].userProperties['MCP-COMPONENT-TYPE'], 'mcp-server', 'cleared by the server itself (a will carries no MCP user properties)');
      const lightOnline = local.seen.find((m) => m.payload !== '' && m.topic.endsWith('/home/light/1'));
      const lightCleared = local.seen.find((m) => m.topic === lightOnline.topic && m.payload === '');
      assert.ok(lightCleared, 'the demo light cleared its presence before the embedded broker closed');
      assert.equal(lightCleared.userProperties['MCP-COMPONENT-TYPE'], 'mcp-server');

      const stale = (await retainedPresence(sharedBroker)).filter((m) => m.topic.endsWith(`/${PROBE_NAME}`));
      assert.deepEqual(stale.map((m) => m.topic), [], 'no stale retained presence of the probe');
      assert.equal(await portIsFree(demoPort), true, `port ${demoPort} of the demo broker is free`);
    });
  } finally {
    await shared.client.endAsync().catch(() => {});
    local?.client.end(true);
  }
});
