// The proxy with a Sparkplug B edge node that lives on another broker than the MCP traffic: metrics decode by
// name (DATA messages carry only aliases, named by the BIRTH), and a tool writes a DCMD and is confirmed by the
// next DDATA. Payloads are built with the same sparkplug-payload package the proxy uses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { get as sparkplugCodec } from 'sparkplug-payload';
import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, publishAsync, subscribeAsync, waitUntil } from '../fixtures/raw-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { ServerSession } from '../../src/core/client/session.js';
import { loadDeviceModel } from '../../src/core/device/index.js';
import { DeviceProxy } from '../../src/core/proxy/index.js';

const codec = sparkplugCodec('spBv1.0')!;
const { Payload } = org.eclipse.tahu.protobuf;
const uid = (): string => randomBytes(4).toString('hex');

function pumpModel(name: string, data: string, command: string): string {
  return `
serverName: ${name}
description: A Sparkplug B pump behind the proxy.
attributes:
  flow: { type: number, unit: l/min, source: { topic: ${data}, extract: { sparkplug: Flow } } }
  running: { type: boolean, source: { topic: ${data}, extract: { sparkplug: Running } } }
  speed: { type: integer, source: { topic: ${data}, extract: { sparkplug: Speed } } }
functions:
  - name: set_speed
    description: Set the pump speed.
    parameters: { type: object, properties: { speed: { type: integer, minimum: 0, maximum: 3000 } }, required: [speed] }
    publish:
      topic: ${command}
      format: sparkplug
      payload: { metrics: [{ name: Speed, type: Int32, value: "$args.speed" }] }
      confirm: { topic: ${data}, when: "payload.metrics.Speed == args.speed", timeoutMs: 5000 }
`;
}

async function readValue(session: ServerSession, uri: string): Promise<unknown> {
  const content = (await session.readResource(uri)).contents[0];
  assert.ok(content && 'text' in content);
  return (JSON.parse(content.text) as { value: unknown }).value;
}

for (const kind of brokerKinds()) {
  describe(`device proxy with a Sparkplug B edge node on a separate device broker (MCP on ${kind})`, () => {
    let mcpBroker: TestBroker;
    let deviceBroker: TestBroker;
    let proxy: DeviceProxy;
    let client: McpMqttClient;
    let edge: MqttClient;
    let session: ServerSession;
    const group = `g${uid()}`;
    const data = `spBv1.0/${group}/DDATA/edge1/pump`;
    const name = `sparkplug/${group}/pump`;
    const uri = (attribute: string): string => `device://${name}/attributes/${attribute}`;

    before(async () => {
      mcpBroker = await startBroker(kind);
      deviceBroker = await startBroker('embedded');
      proxy = new DeviceProxy({ broker: { url: mcpBroker.url }, deviceBroker: { url: deviceBroker.url } });
      await proxy.add(await loadDeviceModel({ text: pumpModel(name, data, `spBv1.0/${group}/DCMD/edge1/pump`), format: 'yaml' }));
      edge = await connectRawMqtt(deviceBroker.url, `edge-${uid()}`);
      let speed = 1200;
      edge.on('message', (_topic, payload) => {
        const command = codec.decodePayload(payload);
        const requested = command.metrics?.find((m) => m.name === 'Speed');
        if (typeof requested?.value !== 'number') return;
        speed = requested.value;
        void publishAsync(edge, data, Buffer.from(codec.encodePayload({ timestamp: Date.now(), seq: 3, metrics: [{ name: 'Speed', type: 'Int32', value: speed }] })));
      });
      await subscribeAsync(edge, { [`spBv1.0/${group}/DCMD/edge1/pump`]: { qos: 0 } });
      client = new McpMqttClient({ broker: { url: mcpBroker.url }, reconnect: false, serverNameFilters: [`sparkplug/${group}/#`] });
      await client.connect();
      await waitUntil(() => client.registry.get(name) !== undefined, 'the proxied pump to be discovered');
      session = await client.session(name);
    });

    after(async () => {
      await client?.close();
      await proxy?.stop();
      if (edge) await endAsync(edge);
      await deviceBroker?.stop();
      await mcpBroker?.stop();
    });

    it('decodes metrics by name from the BIRTH and by alias from DATA messages that carry no datatype', async () => {
      const birth = codec.encodePayload({
        timestamp: Date.now(), seq: 0,
        metrics: [
          { name: 'Flow', alias: 1, type: 'Double', value: 12.5 },
          { name: 'Running', alias: 2, type: 'Boolean', value: true },
          { name: 'Speed', alias: 3, type: 'Int32', value: 1200 },
        ],
      });
      await publishAsync(edge, `spBv1.0/${group}/DBIRTH/edge1/pump`, Buffer.from(birth));
      await waitUntil(() => proxy.devices()[0]!.runtime.getAttributes().flow === 12.5, 'the BIRTH value');
      assert.equal(await readValue(session, uri('running')), true);
      assert.equal(await readValue(session, uri('speed')), 1200);

      // As Sparkplug 3.0 recommends, the DATA message names metrics by alias only and leaves the datatype out.
      const dataOnly = Payload.encode({ timestamp: Date.now(), seq: 1, metrics: [{ alias: 1, doubleValue: 17.25 }, { alias: 2, booleanValue: false }] }).finish();
      await publishAsync(edge, data, Buffer.from(dataOnly));
      await waitUntil(() => proxy.devices()[0]!.runtime.getAttributes().running === false, 'the DATA values');
      assert.equal(await readValue(session, uri('flow')), 17.25);
    });

    it('a tool writes a DCMD and is confirmed by the next DDATA', async () => {
      const result = await session.callTool('set_speed', { speed: 1500 });
      assert.equal(result.isError, undefined, JSON.stringify(result.content));
      assert.match(JSON.stringify(result.content), /Speed.*1500/);
      assert.equal(await readValue(session, uri('speed')), 1500);
    });

    it('a payload that is not Sparkplug B is reported, not fatal', async () => {
      await publishAsync(edge, data, 'not protobuf at all');
      await waitUntil(() => proxy.devices()[0]!.runtime.events().some((e) => e.event === 'telemetry_error'), 'a telemetry_error event');
      assert.equal(await readValue(session, uri('speed')), 1500);
    });
  });
}
