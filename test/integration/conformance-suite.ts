// The conformance checker against a corpus of devices on real brokers: a spec-following raw device and this
// project's own server host must pass; each deliberately broken raw device must be caught by exactly the
// check that owns its deviation, with no other check failing or warning.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CHECKS, runConformance, type CheckResult, type ConformanceOptions, type ConformanceReport } from '../../src/core/conformance/index.js';
import type { NewEvent } from '../../src/core/events/event-log.js';
import { McpMqttServerHost } from '../../src/core/server/host.js';
import { startRawDevice, type RawDevice, type RawDeviceDeviations } from '../fixtures/raw-device.js';
import { startBroker, type BrokerKind, type TestBroker } from '../helpers/brokers.js';
import { CHECK_TIMEOUTS, explain, flagged, result } from '../helpers/conformance.js';

const TIMEOUTS = CHECK_TIMEOUTS;
/** Checks only packet mode can make: skipped on any broker the checker does not run. */
const PACKET_ONLY = ['connection.client-id', 'connection.connect-properties', 'connection.mqtt5', 'traffic.qos', 'traffic.topics'];

type Deviation = keyof RawDeviceDeviations;

/** Which checks must flag each deviation: the corpus table (`mute` has a test of its own). */
function corpus(kind: BrokerKind): Record<Exclude<Deviation, 'mute'>, { fail?: string[]; warn?: string[] }> {
  return {
    willNotRetained: { fail: ['teardown.will'] },
    presenceNotRetained: { fail: ['presence.retained'] },
    // A MUST (spec §3): fail, although tolerant clients cope.
    noUserProperties: { fail: ['traffic.user-properties'] },
    pongTrue: { warn: ['operation.ping'] },
    initializeAnsweredOnControl: { fail: ['initialize.answer-topic'] },
    wrongUnknownMethodCode: { fail: ['operation.unknown-method'] },
    capabilityOnRpc: { fail: ['traffic.capability-topic'] },
    replyBeforeSubscribe: { fail: ['initialize.subscribed-before-reply'] },
    legacyTopics: { fail: ['traffic.legacy-topics'] },
    protocolVersion2024: { warn: ['initialize.protocol-version'] },
    noServerNameInPresence: { warn: ['presence.server-name-field'] },
    // The embedded broker caps every session at the connection (its CONNACK says Session Expiry 0), so the
    // device's 10 s never takes effect there and there is nothing to catch; Mosquitto keeps the session.
    sessionExpiry10: { fail: kind === 'mosquitto' ? ['teardown.session-expiry'] : [] },
    // The probes fall back to tools/list: only the missing ping itself is a finding.
    noPing: { fail: ['operation.ping'] },
    ignoresDeinitialize: { fail: ['teardown.deinitialize'] },
    lateClientSubscriptions: { fail: ['initialize.subscribed-before-reply'] },
    noClientPresenceSubscription: { fail: ['teardown.client-presence'] },
    // Invisible from outside the broker for a device that ignores its own answers; packet mode catches it.
    noNoLocal: {},
  };
}

const uid = (): string => randomUUID().slice(0, 8);

/** The corpus on one broker kind; conformance-embedded/-mosquitto.test.ts run the kinds as parallel files. */
export function conformanceSuite(kind: BrokerKind): void {
  // Each test checks its own device (its own server-name) and the checker attributes only that device's traffic
  // to it, so the tests run side by side: they mostly wait on the checker's silence windows, not on the CPU.
  describe(`conformance checker (${kind})`, { concurrency: 4 }, () => {
    let broker: TestBroker;
    const devices: RawDevice[] = [];

    before(async () => {
      broker = await startBroker(kind);
    });
    after(async () => {
      for (const d of devices) await d.stop().catch(() => undefined);
      await broker.stop();
    });

    async function rawDevice(serverName: string, deviations: RawDeviceDeviations = {}): Promise<RawDevice> {
      const device = await startRawDevice({ url: broker.url, serverId: `raw-${uid()}`, serverName, deviations });
      devices.push(device);
      return device;
    }

    /** Runs every check, the crash test included, against one raw device. */
    async function checkRawDevice(deviations: RawDeviceDeviations, extra: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> {
      const device = await rawDevice(`conformance/raw/${uid()}`, deviations);
      return runConformance({
        broker: { url: broker.url },
        serverName: device.serverName,
        serverId: device.serverId,
        call: { tool: 'add', args: { a: 2, b: 3 } },
        triggerListChanged: () => device.notifyToolsChanged(),
        crashTest: { trigger: async () => device.crash() },
        timeouts: TIMEOUTS,
        ...extra,
      });
    }

    it('passes a spec-following raw device: no failure, no warning, every check reported once', async () => {
      const progress: CheckResult[] = [];
      const events: NewEvent[] = [];
      const report = await checkRawDevice({}, { onProgress: (r) => progress.push(r), events: (e) => events.push(e) });
      assert.deepEqual(flagged(report, 'fail'), [], explain(report));
      assert.deepEqual(flagged(report, 'warn'), [], explain(report));
      assert.deepEqual(report.results.map((r) => r.id), CHECKS.map((c) => c.id));
      assert.equal(progress.length, CHECKS.length);
      assert.equal(events.filter((e) => e.kind === 'check').length, CHECKS.length);
      assert.ok(events.some((e) => e.kind === 'request' && e.direction === 'out' && e.method === 'initialize'));
      // Only the checks that need something this device does not offer are skipped.
      assert.deepEqual(flagged(report, 'skip'), [...PACKET_ONLY, 'instances.isolation', 'operation.prompts-list'].sort());
      for (const id of ['teardown.will', 'teardown.session-expiry', 'traffic.capability-topic', 'operation.tools-call', 'initialize.version-negotiation'])
        assert.equal(result(report, id).verdict, 'pass', id);
      assert.equal(report.summary.pass + report.summary.warn + report.summary.fail + report.summary.skip, CHECKS.length);
      const latency = result(report, 'latency.ping-rtt');
      assert.equal(typeof latency.data?.medianMs, 'number');
      assert.ok(Array.isArray(latency.data?.samples) && latency.data.samples.length === 20);
    });

    it('passes a device hosted by McpMqttServerHost with an SDK McpServer', async () => {
      const servers: McpServer[] = [];
      const serverName = `conformance/host/${uid()}`;
      const host = new McpMqttServerHost({
        broker: { url: broker.url },
        serverId: `host-${uid()}`,
        serverName,
        description: 'hosted conformance device',
        reconnect: false,
        createServer: () => {
          const mcp = new McpServer({ name: 'conformance-host', version: '1.0.0' });
          mcp.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
          mcp.registerPrompt('greet', { description: 'a greeting' }, () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }] }));
          servers.push(mcp);
          return mcp.server;
        },
      });
      await host.start();
      try {
        const report = await runConformance({
          broker: { url: broker.url },
          serverName,
          call: { tool: 'add', args: { a: 1, b: 2 } },
          triggerListChanged: async () => {
            for (const s of servers) if (s.isConnected()) s.sendToolListChanged();
          },
          crashTest: { trigger: async () => host.crash() },
          timeouts: TIMEOUTS,
        });
        assert.equal(report.instance, host.serverId);
        assert.deepEqual(flagged(report, 'fail'), [], explain(report));
        assert.deepEqual(flagged(report, 'warn'), [], explain(report));
        for (const id of ['operation.prompts-list', 'traffic.capability-topic', 'traffic.capability-advertised', 'teardown.will'])
          assert.equal(result(report, id).verdict, 'pass', id);
      } finally {
        await host.stop().catch(() => undefined);
      }
    });

    for (const [deviation, expected] of Object.entries(corpus(kind)) as [Deviation, { fail?: string[]; warn?: string[] }][]) {
      const fail = expected.fail ?? [];
      const warn = expected.warn ?? [];
      it(`catches ${deviation}: fails [${fail.join(', ')}], warns [${warn.join(', ')}], nothing else`, async () => {
        const report = await checkRawDevice({ [deviation]: true });
        assert.deepEqual(flagged(report, 'fail'), fail, explain(report));
        assert.deepEqual(flagged(report, 'warn'), warn, explain(report));
      });
    }

    it('probes a device without ping through tools/list: subscribed-before-reply passes, an ignored de-initialize fails', async () => {
      const report = await checkRawDevice({ noPing: true, ignoresDeinitialize: true });
      assert.deepEqual(flagged(report, 'fail'), ['operation.ping', 'teardown.deinitialize'], explain(report));
      assert.deepEqual(flagged(report, 'warn'), [], explain(report));
      assert.match(result(report, 'initialize.subscribed-before-reply').observed, /tools\/list sent right after the reply was answered/);
      assert.match(result(report, 'teardown.deinitialize').observed, /^tools\/list was answered/);
      assert.equal(result(report, 'teardown.client-presence').verdict, 'pass');
      assert.equal(result(report, 'latency.ping-rtt').verdict, 'skip');
      assert.match(result(report, 'operation.ping').basis, /^broken MUST \(spec §8\.15/);
    });

    it('skips the behavioural probes, with the reason, when the server answers nothing after initialize', async () => {
      // Every probe of a mute device ends at its limit, so short ones (none asserts a duration).
      const short = { ...TIMEOUTS, pingMs: 1500, listMs: 1500, callMs: 1500 };
      const report = await checkRawDevice({ mute: true }, { timeouts: short, crashTest: undefined });
      for (const id of ['initialize.subscribed-before-reply', 'teardown.deinitialize', 'teardown.client-presence']) {
        assert.equal(result(report, id).verdict, 'skip', id);
        assert.match(result(report, id).observed, /answered none of ping, tools\/list, resources\/list/, id);
      }
      assert.deepEqual(flagged(report, 'fail'), ['operation.ping', 'operation.resources-list', 'operation.tools-call', 'operation.tools-list', 'operation.unknown-method'], explain(report));
    });

    it('credits the device under test only with its own traffic: another device\'s legacy notifications are not its findings', async () => {
      const other = await rawDevice(`conformance/raw/${uid()}`, { legacyTopics: true });
      const device = await rawDevice(`conformance/raw/${uid()}`);
      const report = await runConformance({
        broker: { url: broker.url },
        serverName: device.serverName,
        serverId: device.serverId,
        call: { tool: 'add', args: { a: 2, b: 3 } },
        // The other device's notification, on a legacy topic the checker listens to, comes first.
        triggerListChanged: async () => {
          await other.notifyToolsChanged();
          await device.notifyToolsChanged();
        },
        timeouts: TIMEOUTS,
      });
      assert.deepEqual(flagged(report, 'fail'), [], explain(report));
      assert.deepEqual(flagged(report, 'warn'), [], explain(report));
      assert.equal(result(report, 'traffic.capability-topic').verdict, 'pass', result(report, 'traffic.capability-topic').observed);
    });

    it('checks that several instances of one name each answer only on their own topics', async () => {
      const serverName = `conformance/fleet/${uid()}`;
      const first = await rawDevice(serverName);
      await rawDevice(serverName);
      await rawDevice(serverName);
      const report = await runConformance({ broker: { url: broker.url }, serverName, serverId: first.serverId, timeouts: TIMEOUTS });
      const isolation = result(report, 'instances.isolation');
      assert.equal(isolation.verdict, 'pass', isolation.observed);
      assert.match(isolation.observed, /^3 instances/);
      assert.deepEqual(flagged(report, 'fail'), [], explain(report));
      // Without --crash-test the device is left alone.
      assert.equal(result(report, 'teardown.will').verdict, 'skip');
      assert.ok(first.mqtt.connected);
    });

    it('reports an absent server as not discoverable and skips everything that needs it', async () => {
      const report = await runConformance({ broker: { url: broker.url }, serverName: `conformance/absent/${uid()}`, timeouts: TIMEOUTS });
      assert.equal(report.instance, undefined);
      assert.deepEqual(flagged(report, 'fail'), ['presence.retained']);
      assert.equal(report.summary.skip, CHECKS.length - 2, explain(report)); // presence.retained and presence.names ran
      assert.equal(result(report, 'initialize.answered').observed, 'no instance of the server to test');
    });
  });
}
