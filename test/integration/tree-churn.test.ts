// Presence churn as a big fleet produces it: 1,000 devices a second going offline and online again for 10 s
// (retained presence publishes to a real embedded broker), seen by a real client and the Devices tree's model.
// The final registry and tree must be exactly right, and the tree must have been told about it in a bounded
// number of refreshes (one per window, not one per event). Event-loop delay during the churn is reported
// (targets belong in bench/, not here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { startBroker, type TestBroker } from '../helpers/brokers.js';
import { fleetServerName, publishPresenceFleet } from '../helpers/fleet.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { DevicesModel, type TreeRefresh } from '../../src/core/views/devices-model.js';

// 10,000 toggles over 6,000 devices: 4,000 go offline and back, 2,000 stay offline.
const COUNT = 6_000;
const PER_SECOND = 1_000;
const SECONDS = 10;
const TICK_MS = 100;
const WINDOW_MS = 150;
const BROKER_ROW_MS = 1_000;
const PREFIX = 'churn';

let broker: TestBroker;
before(async () => {
  broker = await startBroker('embedded');
});
after(async () => {
  await broker?.stop();
});

const topic = (i: number): string => `$mcp-server/presence/s${i}/${fleetServerName(PREFIX, i)}`;
const presence = (i: number, description = `fleet sensor ${i}`): string =>
  JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: fleetServerName(PREFIX, i), description, meta: { version: '1.0.0' } } });

async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(`${PER_SECOND} presence changes a second for ${SECONDS} s leave the tree exact, in a bounded number of refreshes`, async (t) => {
  await publishPresenceFleet(broker.url, PREFIX, COUNT);
  const client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${PREFIX}/#`] });
  await client.connect();
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  const model = new DevicesModel(client.registry, { windowMs: WINDOW_MS, brokerRowMs: BROKER_ROW_MS });
  try {
    assert.equal(client.registry.size, COUNT);
    // What an open tree has listed: the broker row, the fleet's folder and two rooms.
    for (const prefix of ['', `${PREFIX}/`, `${PREFIX}/room-0/`, `${PREFIX}/room-7/`]) model.tree.listing(prefix);
    const refreshes: TreeRefresh[] = [];
    model.onRefresh((r) => refreshes.push(r));

    const online = new Array<boolean>(COUNT).fill(true);
    const toggled = new Set<string>();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    // Each tick toggles the next 100 devices round the fleet (7 and 6,000 are coprime: every device in turn).
    let next = 0;
    const perTick = (PER_SECOND * TICK_MS) / 1000;
    for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
      for (let k = 0; k < perTick; k++) {
        const i = (next++ * 7) % COUNT;
        online[i] = !online[i];
        toggled.add(fleetServerName(PREFIX, i));
        publisher.publish(topic(i), online[i] ? presence(i) : '', { qos: 0, retain: true });
      }
      const due = started + (tick + 1) * TICK_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    const churnMs = Date.now() - started;
    // Device 0 ends online; its new description reaches the client after every earlier publish (one connection, in order).
    assert.equal(online[0], true);
    await publisher.publishAsync(topic(0), presence(0, 'final'), { qos: 1, retain: true });
    await until('the last presence to arrive', () => client.registry.instancesOf(fleetServerName(PREFIX, 0))[0]?.description === 'final');
    delay.disable();
    const settledMs = Date.now() - started;
    // Whatever the model still holds is handed out within one window (or the broker row's interval).
    await until('the last refresh', () => refreshes.length > 0 && !model.hasPending);

    // Exactly right: every name still listed (offline names stay), each with its final state.
    const expectedOnline = online.filter(Boolean).length;
    assert.equal(client.registry.onlineCount, expectedOnline);
    assert.equal(model.tree.names.length, COUNT);
    assert.equal(model.tree.count(`${PREFIX}/room-7/`), 100);
    assert.deepEqual(model.tree.listing(`${PREFIX}/room-7/`).servers.length, 100);
    for (let i = 0; i < COUNT; i++) assert.equal(client.registry.isOnline(fleetServerName(PREFIX, i)), online[i], fleetServerName(PREFIX, i));
    // Every toggled row was named in some refresh, and no folder was redrawn: names stayed, only states changed.
    const refreshed = new Set(refreshes.flatMap((r) => r.servers));
    for (const name of toggled) assert.ok(refreshed.has(name), `${name} never refreshed`);
    assert.deepEqual(refreshes.flatMap((r) => r.folders), []);
    // Bounded: at most one refresh per window, plus the broker row's own at most once per interval.
    const bound = Math.ceil(settledMs / WINDOW_MS) + Math.ceil(settledMs / BROKER_ROW_MS) + 2;
    assert.ok(refreshes.length <= bound, `${refreshes.length} refreshes in ${settledMs} ms (bound ${bound})`);
    assert.ok(refreshes.length >= 2, `${refreshes.length} refreshes`);
    const brokerRows = refreshes.filter((r) => r.broker).length;
    assert.ok(brokerRows <= Math.ceil(settledMs / BROKER_ROW_MS) + 1, `${brokerRows} broker-row refreshes`);
    t.diagnostic(
      `${toggled.size} devices, ${PER_SECOND * SECONDS} changes in ${churnMs} ms (settled at ${settledMs} ms): ${refreshes.length} refreshes ` +
        `(${brokerRows} of the broker row); event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, ` +
        `p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
  } finally {
    model.dispose();
    await publisher.endAsync();
    await client.close();
  }
});
