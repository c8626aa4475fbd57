// Watching a simulated thermostat's temperature on real brokers: by subscription (the simulator advertises
// resources.subscribe and sends notifications/resources/updated) and by polling, with the series growing as
// the value drifts, CSV export, unsubscribe on stop, and the watch ending with a gap when the device goes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { Simulator } from '../../src/core/simulator/simulator.js';
import { loadDeviceModel, attributeUri } from '../../src/core/device/index.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { NewEvent } from '../../src/core/events/event-log.js';
import { ResourceWatch, watchToCsv, type WatchEnd } from '../../src/core/watch/resource-watch.js';
import { waitUntil } from '../fixtures/raw-device.js';

const model = join(__dirname, '..', '..', 'examples', 'devices', 'smart-thermostat.device.yaml');

for (const kind of brokerKinds()) {
  describe(`watching a resource (${kind})`, () => {
    let broker: TestBroker;
    let simulator: Simulator;
    let client: McpMqttClient;
    const events: NewEvent[] = [];
    const prefix = `watch${randomBytes(3).toString('hex')}`;
    let serverName: string;
    let serverId: string;

    before(async () => {
      broker = await startBroker(kind);
      // A fast tick makes the temperature drift several times a second.
      simulator = new Simulator({ broker: { url: broker.url }, tickMs: 50 });
      const loaded = await loadDeviceModel({ path: model });
      const [device] = await simulator.add({ ...loaded, serverName: `${prefix}/thermostat/{n}` });
      serverName = device!.serverName;
      serverId = device!.serverId;
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${prefix}/#`], events: (e) => events.push(e) });
      await client.connect();
      await waitUntil(() => client.registry.get(serverName) !== undefined, `${serverName} discovered`);
    });
    after(async () => {
      await client?.close();
      await simulator?.stop();
      await broker?.stop();
    });

    test('subscribes when the server advertises it, and plots each update', async () => {
      const session = await client.session(serverName);
      const watch = await ResourceWatch.start(session, { uri: attributeUri(serverName, 'temperature') });
      assert.equal(watch.mode, 'subscribe');
      await waitUntil(() => (watch.series.get('value')?.length ?? 0) >= 10, '10 temperature samples by subscription');
      const values = watch.series.get('value')!.points().map((p) => p.v);
      assert.ok(values.every((v) => v > -10 && v < 45), values.join(','));
      assert.ok(new Set(values).size > 1, `the temperature drifts: ${values.join(',')}`);
      const csv = watchToCsv(watch).trim().split('\n');
      assert.match(csv[0]!, /^time,/);
      assert.ok(csv.length >= 11, `${csv.length} CSV lines`);
      await watch.stop();
      assert.equal(watch.ended?.reason, 'stopped');
      await waitUntil(() => events.some((e) => JSON.stringify(e).includes('resources/unsubscribe')), 'resources/unsubscribe sent');
      const after = watch.samples;
      // Later updates of the same URI are not this watch's any more.
      watch.updated();
      assert.equal(watch.samples, after);
    });

    test('polls at the chosen interval when asked to', async () => {
      const session = await client.session(serverName);
      const watch = await ResourceWatch.start(session, { uri: attributeUri(serverName, 'humidity'), mode: 'poll', pollIntervalMs: 100 });
      assert.equal(watch.mode, 'poll');
      await waitUntil(() => watch.samples >= 4, '4 polled samples');
      assert.ok((watch.series.get('value')?.length ?? 0) >= 4);
      assert.ok(watch.polling);
      await watch.stop();
      assert.equal(watch.polling, false, 'the poll timer is gone');
    });

    test('a read that fails is a gap, and the watch goes on', async () => {
      const session = await client.session(serverName);
      const watch = await ResourceWatch.start(session, { uri: `${attributeUri(serverName, 'temperature')}-missing`, mode: 'poll', pollIntervalMs: 100 });
      await waitUntil(() => watch.samples >= 2, 'two failed reads recorded');
      assert.ok(watch.latest?.error, 'the error is kept');
      assert.equal(watch.ended, undefined);
      await watch.stop();
    });

    test('every end listener hears the end even when one throws (the panel and the tree listen apart)', async () => {
      const session = await client.session(serverName);
      const watch = await ResourceWatch.start(session, { uri: attributeUri(serverName, 'humidity'), mode: 'poll', pollIntervalMs: 100 });
      const heard: string[] = [];
      watch.onEnd(() => {
        heard.push('first');
        throw new Error('a listener that fails');
      });
      watch.onEnd((end) => heard.push(`second:${end.reason}`));
      await assert.rejects(watch.stop(), /a listener that fails/);
      assert.deepEqual(heard, ['first', 'second:stopped']);
      assert.equal(watch.polling, false, 'the poll timer is gone all the same');
    });

    test('ends with a gap when the device goes offline', async () => {
      const session = await client.session(serverName);
      const watch = await ResourceWatch.start(session, { uri: attributeUri(serverName, 'temperature') });
      await waitUntil(() => (watch.series.get('value')?.length ?? 0) >= 2, 'first samples');
      const ended = new Promise<WatchEnd>((r) => watch.onEnd(r));
      // A crash: the broker publishes the device's will (empty retained presence), as when power is cut.
      await simulator.takeOffline(serverId, 'crash');
      assert.equal((await ended).reason, 'session-closed');
      assert.match(watch.ended?.message ?? '', /offline/);
      assert.ok(Number.isNaN(watch.series.get('value')!.last()!.v), 'the series ends with a gap');
    });
  });
}
