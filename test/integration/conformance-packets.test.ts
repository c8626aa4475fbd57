// Packet mode (the checker runs the broker and sees the device's own packets), the takeover crash test on
// both brokers, and aborting a run. Packet mode exists only on the embedded broker: it is the observer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { runConformance, startListening, takeoverCrashTest, type CheckResult, type ConformanceReport, type ListeningChecker } from '../../src/core/conformance/index.js';
import { CHECK_TIMEOUTS, explain, flagged, result } from '../helpers/conformance.js';
import { McpMqttServerHost } from '../../src/core/server/host.js';
import { Simulator } from '../../src/core/simulator/simulator.js';
import { startRawDevice, waitUntil, type RawDevice, type RawDeviceDeviations } from '../fixtures/raw-device.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';

const uid = (): string => randomUUID().slice(0, 8);
const EXAMPLES = join(__dirname, '..', '..', 'examples', 'devices');
const TIMEOUTS = CHECK_TIMEOUTS;

// Each test checks a device of its own, and packet mode judges only that device's client id, so the tests run
// side by side (they mostly wait out the checker's silence windows).
describe('conformance checker, packet mode (embedded broker observer)', { concurrency: 2 }, () => {
  let listening: ListeningChecker;
  const devices: RawDevice[] = [];
  before(async () => {
    listening = await startListening({ host: '127.0.0.1' });
  });
  after(async () => {
    for (const d of devices) await d.stop().catch(() => undefined);
    await listening.stop();
  });

  async function checkDevice(deviations: RawDeviceDeviations): Promise<ConformanceReport> {
    const serverName = `packets/raw/${uid()}`;
    const device = await startRawDevice({ url: listening.localUrl, serverId: `raw-${uid()}`, serverName, deviations });
    devices.push(device);
    const found = await listening.waitForDevice({ serverName, timeoutMs: 10_000 });
    assert.deepEqual(found, { serverId: device.serverId, serverName });
    return runConformance({ broker: { url: listening.localUrl }, serverName, serverId: found.serverId, packets: listening.capture, timeouts: TIMEOUTS, latencySamples: 3 });
  }

  it('passes a spec-following device and reports its will and SUBSCRIBE order from the packets', async () => {
    const report = await checkDevice({});
    assert.deepEqual(flagged(report, 'fail'), [], explain(report));
    assert.deepEqual(flagged(report, 'warn'), [], explain(report));
    // Nothing here names a tool to call or provokes a list_changed.
    assert.deepEqual(flagged(report, 'skip'), ['instances.isolation', 'operation.prompts-list', 'operation.tools-call', 'traffic.capability-advertised', 'traffic.capability-topic']);
    assert.match(result(report, 'teardown.will').observed, /^from CONNECT: will RETAIN=1, empty payload/);
    assert.match(result(report, 'teardown.session-expiry').observed, /^from CONNECT: 0/);
    const order = result(report, 'initialize.subscribed-before-reply').observed;
    assert.equal(order.match(/SUBSCRIBE [\d.]+ ms before the reply/g)?.length, 3, order);
    assert.match(result(report, 'traffic.no-echo').observed, /with No Local$/);
    assert.match(result(report, 'connection.connect-properties').observed, /^mcp-server, MCP-META /);
  });

  it('passes a device hosted by McpMqttServerHost', async () => {
    const serverName = `packets/host/${uid()}`;
    const host = new McpMqttServerHost({
      broker: { url: listening.localUrl },
      serverId: `host-${uid()}`,
      serverName,
      description: 'hosted device',
      reconnect: false,
      createServer: () => {
        const mcp = new McpServer({ name: 'packets-host', version: '1.0.0' });
        mcp.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
        return mcp.server;
      },
    });
    await host.start();
    try {
      await listening.waitForDevice({ serverName, timeoutMs: 10_000 });
      const report = await runConformance({ broker: { url: listening.localUrl }, serverName, packets: listening.capture, timeouts: TIMEOUTS, latencySamples: 3 });
      assert.deepEqual(flagged(report, 'fail'), [], explain(report));
      assert.deepEqual(flagged(report, 'warn'), [], explain(report));
      assert.equal(result(report, 'connection.client-id').verdict, 'pass');
    } finally {
      await host.stop().catch(() => undefined);
    }
  });

  it('passes the simulator\'s example devices', async () => {
    const simulator = new Simulator({ broker: { url: listening.localUrl } });
    try {
      for (const file of ['smart-thermostat.device.yaml', 'kitchen-sink.device.json']) {
        const [device] = await simulator.addFile(join(EXAMPLES, file));
        assert.ok(device);
        await listening.waitForDevice({ serverName: device.serverName, timeoutMs: 10_000 });
        const report = await runConformance({ broker: { url: listening.localUrl }, serverName: device.serverName, packets: listening.capture, timeouts: TIMEOUTS, latencySamples: 3 });
        assert.deepEqual(flagged(report, 'fail'), [], `${file}\n${explain(report)}`);
        assert.deepEqual(flagged(report, 'warn'), [], `${file}\n${explain(report)}`);
      }
    } finally {
      await simulator.stop();
    }
  });

  const corpus: [keyof RawDeviceDeviations, string, RegExp][] = [
    ['willNotRetained', 'teardown.will', /will RETAIN=0/],
    ['sessionExpiry10', 'teardown.session-expiry', /from CONNECT: 10 s/],
    ['replyBeforeSubscribe', 'initialize.subscribed-before-reply', /\$mcp-rpc\/\S+: SUBSCRIBE [\d.]+ ms after the reply/],
    ['lateClientSubscriptions', 'initialize.subscribed-before-reply', /\$mcp-rpc\/\S+: SUBSCRIBE [\d.]+ ms before the reply; \$mcp-client\/presence\/\S+: SUBSCRIBE [\d.]+ ms after the reply; \$mcp-client\/capability\/\S+: SUBSCRIBE [\d.]+ ms after/],
    ['noNoLocal', 'traffic.no-echo', /without No Local/],
    ['noUserProperties', 'traffic.user-properties', /PUBLISH packets: PUBLISH on \S+: no MCP-COMPONENT-TYPE, no MCP-MQTT-CLIENT-ID/],
    ['noClientPresenceSubscription', 'teardown.client-presence', /still answered/],
  ];
  for (const [deviation, check, observed] of corpus) {
    it(`catches ${deviation} from the packets: fails ${check} only`, async () => {
      const report = await checkDevice({ [deviation]: true });
      assert.deepEqual(flagged(report, 'fail'), [check], explain(report));
      assert.deepEqual(flagged(report, 'warn'), [], explain(report));
      assert.match(result(report, check).observed, observed);
      assert.match(result(report, check).basis, /^broken MUST \(spec §/);
    });
  }
});

describe('conformance checker, packet mode with a suggested server name', () => {
  let listening: ListeningChecker;
  let device: RawDevice | undefined;
  before(async () => {
    listening = await startListening({ host: '127.0.0.1', suggestServerName: 'packets/suggested/name' });
  });
  after(async () => {
    await device?.stop().catch(() => undefined);
    await listening.stop();
  });

  it('fails traffic.topics when the device ignores MCP-SERVER-NAME from CONNACK', async () => {
    const serverName = `packets/own/${uid()}`;
    device = await startRawDevice({ url: listening.localUrl, serverId: `raw-${uid()}`, serverName });
    await listening.waitForDevice({ serverName, timeoutMs: 10_000 });
    const report = await runConformance({ broker: { url: listening.localUrl }, serverName, packets: listening.capture, timeouts: TIMEOUTS, latencySamples: 3 });
    assert.deepEqual(flagged(report, 'fail'), ['traffic.topics'], explain(report));
    assert.match(result(report, 'traffic.topics').observed, /CONNACK suggested MCP-SERVER-NAME "packets\/suggested\/name"/);
  });
});

for (const kind of brokerKinds()) {
  describe(`conformance checker, takeover crash test and abort (${kind})`, { concurrency: true }, () => {
    let broker: TestBroker;
    const devices: RawDevice[] = [];
    before(async () => {
      broker = await startBroker(kind);
    });
    after(async () => {
      for (const d of devices) await d.stop().catch(() => undefined);
      await broker.stop();
    });

    async function device(deviations: RawDeviceDeviations = {}): Promise<RawDevice> {
      const d = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName: `takeover/${uid()}`, deviations });
      devices.push(d);
      return d;
    }

    for (const [deviations, verdict] of [[{}, 'pass'], [{ willNotRetained: true }, 'fail']] as const) {
      it(`takes the device's client id and judges its will: ${verdict} for ${JSON.stringify(deviations)}`, async () => {
        const d = await device(deviations);
        const report = await runConformance({ broker: { url: broker.url }, serverName: d.serverName, crashTest: takeoverCrashTest({ url: broker.url }), timeouts: TIMEOUTS, latencySamples: 3 });
        assert.equal(result(report, 'teardown.will').verdict, verdict, result(report, 'teardown.will').observed);
        assert.match(result(report, 'teardown.session-expiry').observed, /not observable after a takeover/);
        assert.ok(!d.mqtt.connected, 'the takeover disconnected the device');
      });
    }

    it('passes a simulated device, takeover crash test included', async () => {
      const simulator = new Simulator({ broker: { url: broker.url } });
      try {
        const [device] = await simulator.addFile(join(EXAMPLES, 'smart-thermostat.device.yaml'));
        assert.ok(device);
        const report = await runConformance({ broker: { url: broker.url }, serverName: device.serverName, crashTest: takeoverCrashTest({ url: broker.url }), timeouts: TIMEOUTS, latencySamples: 3 });
        assert.deepEqual(flagged(report, 'fail'), [], explain(report));
        assert.deepEqual(flagged(report, 'warn'), [], explain(report));
        assert.equal(result(report, 'teardown.will').verdict, 'pass');
      } finally {
        await simulator.stop();
      }
    });

    it('stops a run when its signal is aborted, without recording what the aborted probes saw', async () => {
      const d = await device({ mute: true });
      const aborter = new AbortController();
      const progress: CheckResult[] = [];
      const run = runConformance({ broker: { url: broker.url }, serverName: d.serverName, timeouts: { ...TIMEOUTS, pingMs: 60_000 }, signal: aborter.signal, onProgress: (r) => progress.push(r) });
      // The mute device leaves the run waiting for a ping answer: abort there.
      await waitUntil(() => progress.some((r) => r.id === 'initialize.protocol-version'), 'the initialize checks');
      const seen = progress.length;
      aborter.abort(new Error('shutting down'));
      await assert.rejects(run, /shutting down/);
      await new Promise((r) => setImmediate(r));
      assert.equal(progress.length, seen);
    });
  });
}
