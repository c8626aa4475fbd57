// The device proxy on real brokers: a legacy thermostat written with plain MQTT.js (no MCP at all) is given
// an MCP face by a model with bindings, and an MCP client (McpMqttClient) discovers it, reads its attributes,
// calls tools that publish commands and return the device's confirmation, and sees malformed telemetry,
// silence and device events reported. The proxied server also passes the conformance checker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, publishAsync, subscribeAsync, waitUntil } from '../fixtures/raw-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { ServerSession } from '../../src/core/client/session.js';
import { loadDeviceModel } from '../../src/core/device/index.js';
import { DeviceProxy } from '../../src/core/proxy/index.js';
import { runConformance } from '../../src/core/conformance/index.js';

const uid = (): string => randomBytes(4).toString('hex');
const TIMEOUTS = { callMs: 10_000, listMs: 5000, initializeMs: 5000, pingMs: 5000 };

function thermostatModel(p: string): string {
  return `
serverName: ${p}/thermostat
description: Legacy thermostat behind the proxy.
attributes:
  temperature:
    type: number
    unit: °C
    source: { topic: ${p}/dev/temperature, extract: number, scale: 0.1 }
  target:
    type: number
    source: { topic: ${p}/dev/state, extract: { json: /target } }
  pressure:
    type: number
    source: { topic: ${p}/dev/pressure, extract: number, staleAfterSeconds: 0.3 }
functions:
  - name: set_target
    description: Set the target temperature.
    parameters: { type: object, properties: { target: { type: number, minimum: 5, maximum: 32 } }, required: [target] }
    publish:
      topic: ${p}/dev/set
      payload: { target: "$args.target" }
      confirm: { topic: ${p}/dev/state, when: "payload.target == args.target", timeoutMs: 5000 }
    returns: { text: "confirmed target {{payload.target}}" }
  - name: reboot
    description: Reboot (this firmware never confirms).
    publish:
      topic: ${p}/dev/reboot
      payload: "now"
      confirm: { topic: ${p}/dev/rebooted, timeoutMs: 300 }
  - name: query
    description: Ask the device for its firmware version.
    publish: { topic: ${p}/dev/query, payload: "status", confirm: { correlate: true, timeoutMs: 5000 } }
events:
  - name: alarm
    source: { topic: ${p}/dev/alarm }
    level: error
    message: "alarm {{payload.code}}"
`;
}

/** The firmware: plain MQTT.js, its own topics; confirms set commands by publishing its state, answers MQTT 5 requests. */
async function startLegacyThermostat(url: string, p: string): Promise<{ client: MqttClient; commands: string[] }> {
  const client = await connectRawMqtt(url, `legacy-${uid()}`);
  const commands: string[] = [];
  const state = { target: 21 };
  client.on('message', (topic, payload, packet) => {
    if (topic === `${p}/dev/set`) {
      commands.push(payload.toString());
      const command = JSON.parse(payload.toString()) as { target?: number };
      if (typeof command.target === 'number') state.target = command.target;
      void publishAsync(client, `${p}/dev/state`, JSON.stringify(state), { qos: 1, retain: true });
    } else if (topic === `${p}/dev/reboot`) {
      commands.push(`reboot:${payload.toString()}`);
    } else if (topic === `${p}/dev/query` && packet.properties?.responseTopic) {
      void publishAsync(client, packet.properties.responseTopic, JSON.stringify({ firmware: '3.1.4' }), { qos: 1, properties: { correlationData: packet.properties.correlationData } });
    }
  });
  await subscribeAsync(client, { [`${p}/dev/set`]: { qos: 1 }, [`${p}/dev/reboot`]: { qos: 1 }, [`${p}/dev/query`]: { qos: 1 } });
  await publishAsync(client, `${p}/dev/state`, JSON.stringify(state), { qos: 1, retain: true });
  return { client, commands };
}

async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const text = (result: CallToolResult): string => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function readAttribute(session: ServerSession, uri: string): Promise<Record<string, unknown>> {
  const result = await session.readResource(uri);
  const content = result.contents[0];
  assert.ok(content && 'text' in content);
  return JSON.parse(content.text) as Record<string, unknown>;
}

for (const kind of brokerKinds()) {
  describe(`device proxy (${kind})`, () => {
    let broker: TestBroker;
    let proxy: DeviceProxy;
    let client: McpMqttClient;
    let device: { client: MqttClient; commands: string[] };
    let session: ServerSession;
    const logs: { level: string; data: Record<string, unknown> }[] = [];
    const updated: string[] = [];
    const p = `proxytest/${uid()}`;
    const uri = (name: string): string => `device://${p}/thermostat/attributes/${name}`;

    before(async () => {
      broker = await startBroker(kind);
      device = await startLegacyThermostat(broker.url, p);
      proxy = new DeviceProxy({ broker: { url: broker.url } });
      await proxy.add(await loadDeviceModel({ text: thermostatModel(p), format: 'yaml' }));
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: TIMEOUTS, serverNameFilters: [`${p}/#`] });
      await client.connect();
      await waitUntil(() => client.registry.get(`${p}/thermostat`) !== undefined, 'the proxied thermostat to be discovered');
      session = await client.session(`${p}/thermostat`);
      session.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push({ level: n.params.level, data: n.params.data as Record<string, unknown> }));
      session.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    });

    after(async () => {
      await client?.close();
      await proxy?.stop();
      if (device) {
        await publishAsync(device.client, `${p}/dev/state`, '', { qos: 1, retain: true });
        await endAsync(device.client);
      }
      await broker?.stop();
    });

    it('is discovered as an MCP server with the model\'s tools', async () => {
      const tools = (await session.listTools()).map((t) => t.name).sort();
      assert.deepEqual(tools, ['query', 'reboot', 'set_target']);
    });

    it('serves telemetry as attribute resources and notifies subscribers of changes', async () => {
      await session.subscribeResource(uri('temperature'));
      await publishAsync(device.client, `${p}/dev/temperature`, '215');
      await waitUntil(() => updated.includes(uri('temperature')), 'resources/updated for temperature');
      const temperature = await readAttribute(session, uri('temperature'));
      assert.equal(temperature.value, 21.5);
      assert.equal(temperature.unit, '°C');
      assert.equal((temperature.source as { topic: string; stale: boolean }).topic, `${p}/dev/temperature`);
      // The retained state the device published before the proxy started is there too.
      assert.equal((await readAttribute(session, uri('target'))).value, 21);
    });

    it('a tool call publishes the command and returns the device\'s confirmation', async () => {
      const result = await session.callTool('set_target', { target: 24 });
      assert.equal(result.isError, undefined, text(result));
      assert.deepEqual(device.commands.filter((c) => c.startsWith('{')).map((c) => JSON.parse(c)), [{ target: 24 }]);
      assert.match(text(result), /confirmed target 24/);
      assert.match(text(result), /"target":24/, 'the confirmation payload itself is in the result');
      assert.equal((await readAttribute(session, uri('target'))).value, 24);
    });

    it('invalid arguments never reach the device', async () => {
      const before = device.commands.length;
      const result = await session.callTool('set_target', { target: 99 });
      assert.equal(result.isError, true);
      assert.equal(device.commands.length, before);
    });

    it('an MQTT 5 request/response round trip returns the correlated reply', async () => {
      const result = await session.callTool('query', {});
      assert.equal(result.isError, undefined, text(result));
      assert.match(text(result), /"firmware":"3\.1\.4"/);
    });

    it('a missing confirmation times out with a clear isError result', async () => {
      const result = await session.callTool('reboot', {});
      assert.equal(result.isError, true);
      assert.match(text(result), /No confirmation from the device within 300 ms/);
      assert.match(text(result), new RegExp(`${p}/dev/rebooted`));
      assert.ok(device.commands.includes('reboot:now'), 'the command was published all the same');
    });

    it('malformed telemetry is reported and does not crash the proxy', async () => {
      await publishAsync(device.client, `${p}/dev/temperature`, 'twenty-two');
      await waitUntil(() => logs.some((l) => l.data.event === 'telemetry_error'), 'a telemetry_error logging event');
      const report = logs.find((l) => l.data.event === 'telemetry_error')!;
      assert.equal(report.level, 'warning');
      assert.match(String(report.data.message), /is not a number: "twenty-two"/);
      assert.equal((await readAttribute(session, uri('temperature'))).value, 21.5, 'the last good value stays');
      await publishAsync(device.client, `${p}/dev/temperature`, '230');
      await waitUntil(() => updated.filter((u) => u === uri('temperature')).length >= 2, 'the next good value');
      assert.equal((await readAttribute(session, uri('temperature'))).value, 23);
    });

    it('an attribute whose topic goes silent is reported stale, and fresh again when messages return', async () => {
      // The events resource, not the logging notifications: the proxy may have noticed the silence before this session existed.
      await eventually(async () => {
        const events = await session.readResource(`device://${p}/thermostat/events`);
        const content = events.contents[0];
        return Boolean(content && 'text' in content && content.text.includes('"attribute_stale"'));
      }, 'attribute_stale for pressure in the events resource');
      const pressure = await readAttribute(session, uri('pressure'));
      assert.equal(pressure.value, null, 'never received');
      assert.equal((pressure.source as { stale: boolean }).stale, true);
      await publishAsync(device.client, `${p}/dev/pressure`, '1013');
      await waitUntil(() => logs.some((l) => l.data.event === 'attribute_fresh'), 'attribute_fresh');
      const fresh = await readAttribute(session, uri('pressure'));
      assert.equal(fresh.value, 1013);
      assert.equal((fresh.source as { stale: boolean }).stale, false);
    });

    it('events come from device topics', async () => {
      await publishAsync(device.client, `${p}/dev/alarm`, JSON.stringify({ code: 'E7' }));
      await waitUntil(() => logs.some((l) => l.data.event === 'alarm'), 'the alarm event');
      assert.equal(logs.find((l) => l.data.event === 'alarm')!.data.message, 'alarm E7');
    });

    it('passes the conformance checker', async () => {
      const report = await runConformance({
        broker: { url: broker.url },
        serverName: `${p}/thermostat`,
        call: { tool: 'query', args: {} },
        timeouts: { initializeMs: 10_000, pingMs: 5000, presenceMs: 1500, silenceMs: 750, notificationMs: 3000 },
      });
      const failed = report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.id}: ${r.observed}`);
      assert.equal(report.summary.fail, 0, failed.join('\n'));
    });

    it('a clean stop clears the presence', async () => {
      const serverId = proxy.devices()[0]!.serverId;
      await proxy.stop();
      await waitUntil(() => client.registry.instance(`${p}/thermostat`, serverId) === undefined, 'the proxied server to go offline');
    });
  });
}
