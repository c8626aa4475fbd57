// Every example device, simulated, checked by a client written with plain MQTT.js (not this project's
// transport): presence retained and well formed, initialize answered on the RPC topic after the client's
// subscriptions, user properties, ping, lists, a call, unknown method. And a killed simulator process
// leaves no presence behind, through its will.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { Simulator } from '../../src/core/simulator/simulator.js';
import { exampleModels } from '../../src/core/simulator/demo.js';
import { loadDeviceModel } from '../../src/core/device/index.js';

const root = join(__dirname, '..', '..');
const examples = exampleModels(join(root, 'examples', 'devices'));

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  props: Record<string, string | string[]> | undefined;
}

/** A minimal MCP-over-MQTT client on raw MQTT.js that records everything it receives. */
async function rawClient(url: string, clientId: string): Promise<{ client: MqttClient; received: Received[]; waitFor: (pred: (r: Received) => boolean, what: string, timeoutMs?: number) => Promise<Received> }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId, clean: true, properties: { sessionExpiryInterval: 0, userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-client' } } });
  const received: Received[] = [];
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    const r = { topic, payload: payload.toString(), retain: packet.retain, props: packet.properties?.userProperties };
    received.push(r);
    for (const w of [...waiters]) {
      if (!w.pred(r)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(r);
    }
  });
  const waitFor = (pred: (r: Received) => boolean, what: string, timeoutMs = 5000): Promise<Received> => {
    const found = received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (${timeoutMs} ms)`)), timeoutMs);
      waiters.push({ pred, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  };
  return { client, received, waitFor };
}

for (const kind of brokerKinds()) {
  describe(`simulated example devices on ${kind}`, () => {
    let broker: TestBroker;
    let simulator: Simulator;
    before(async () => {
      broker = await startBroker(kind);
      simulator = new Simulator({ broker: { url: broker.url } });
    });
    after(async () => {
      await simulator.stop();
      await broker.stop();
    });

    test('there are example models to check', () => {
      assert.ok(examples.length >= 4, `found ${examples.length} example models`);
    });

    for (const file of examples) {
      test(`${file.split('/').pop()} passes a raw MQTT.js spec check`, async () => {
        const [device] = await simulator.addFile(file);
        assert.ok(device);
        const { serverId, serverName } = device;
        const cid = `raw-checker-${Math.random().toString(36).slice(2, 10)}`;
        const { client, waitFor } = await rawClient(broker.url, cid);
        try {
          await client.subscribeAsync(`$mcp-server/presence/+/${serverName}`, { qos: 0 });
          const presence = await waitFor((r) => r.topic === `$mcp-server/presence/${serverId}/${serverName}`, 'presence');
          assert.equal(presence.retain, true, 'presence is retained');
          const online = JSON.parse(presence.payload);
          assert.equal(online.jsonrpc, '2.0');
          assert.equal(online.method, 'notifications/server/online');
          assert.equal(online.id, undefined);
          assert.equal(typeof online.params.description, 'string');
          assert.equal(online.params.server_name, serverName);

          const rpc = `$mcp-rpc/${cid}/${serverId}/${serverName}`;
          await client.subscribeAsync(rpc, { qos: 1, nl: true });
          const props = { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-MQTT-CLIENT-ID': cid };
          const request = async (id: number, method: string, params: unknown, topic = rpc): Promise<Record<string, unknown>> => {
            await client.publishAsync(topic, JSON.stringify({ jsonrpc: '2.0', id, method, params }), { qos: 1, properties: { userProperties: props } });
            const reply = await waitFor((r) => r.topic === rpc && JSON.parse(r.payload).id === id, `${method} response`);
            assert.equal(reply.props?.['MCP-COMPONENT-TYPE'], 'mcp-server', `${method} response carries MCP-COMPONENT-TYPE`);
            assert.equal(reply.props?.['MCP-MQTT-CLIENT-ID'], serverId, `${method} response carries the server's client id`);
            return JSON.parse(reply.payload);
          };
          const init = await request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } }, `$mcp-server/${serverId}/${serverName}`);
          const result = init.result as { protocolVersion: string; serverInfo: { name: string } };
          assert.equal(result.protocolVersion, '2025-06-18');
          assert.ok(result.serverInfo.name);
          await client.publishAsync(rpc, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), { qos: 1, properties: { userProperties: props } });
          // Sent right after the initialize response: answered only if the device subscribed before replying.
          assert.deepEqual((await request(2, 'ping', {})).result, {});
          const tools = (await request(3, 'tools/list', {})).result as { tools: { name: string; inputSchema: unknown }[] };
          assert.ok(tools.tools.length > 0, 'lists tools');
          const resources = (await request(4, 'resources/list', {})).result as { resources: { uri: string }[] };
          assert.ok(resources.resources.length > 0, 'lists resources');
          const read = (await request(5, 'resources/read', { uri: resources.resources[0]!.uri })).result as { contents: unknown[] };
          assert.ok(read.contents.length > 0, 'reads a resource');
          const unknown = await request(6, 'no/such/method', {});
          assert.equal((unknown.error as { code: number }).code, -32601);
        } finally {
          await client.endAsync();
          await simulator.stop([serverId]);
        }
      });
    }

    test('function effects change attributes and emit resources/updated on the capability topic', async () => {
      const thermostat = examples.find((f) => f.includes('thermostat'));
      assert.ok(thermostat, 'a thermostat example exists');
      const [device] = await simulator.addFile(thermostat);
      assert.ok(device);
      const { serverId, serverName } = device;
      const cid = `raw-effects-${Math.random().toString(36).slice(2, 10)}`;
      const { client, waitFor } = await rawClient(broker.url, cid);
      try {
        const rpc = `$mcp-rpc/${cid}/${serverId}/${serverName}`;
        await client.subscribeAsync([rpc, `$mcp-server/capability/${serverId}/${serverName}`], { qos: 1, nl: true });
        const props = { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-MQTT-CLIENT-ID': cid };
        const send = (topic: string, msg: object): Promise<unknown> => client.publishAsync(topic, JSON.stringify({ jsonrpc: '2.0', ...msg }), { qos: 1, properties: { userProperties: props } });
        await send(`$mcp-server/${serverId}/${serverName}`, { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
        await waitFor((r) => r.topic === rpc && JSON.parse(r.payload).id === 1, 'initialize response');
        await send(rpc, { method: 'notifications/initialized' });
        const targetUri = `device://${serverName}/attributes/target`;
        await send(rpc, { id: 2, method: 'resources/subscribe', params: { uri: targetUri } });
        await waitFor((r) => r.topic === rpc && JSON.parse(r.payload).id === 2, 'subscribe response');
        await send(rpc, { id: 3, method: 'tools/call', params: { name: 'set_target', arguments: { target: 24 } } });
        const call = JSON.parse((await waitFor((r) => r.topic === rpc && JSON.parse(r.payload).id === 3, 'call response')).payload);
        assert.notEqual(call.result.isError, true, JSON.stringify(call.result));
        const updated = await waitFor(
          (r) => r.topic === `$mcp-server/capability/${serverId}/${serverName}` && JSON.parse(r.payload).method === 'notifications/resources/updated',
          'resources/updated',
        );
        assert.equal(JSON.parse(updated.payload).params.uri, targetUri);
        assert.equal(device.runtime.getAttributes().target, 24);
      } finally {
        await client.endAsync();
        await simulator.stop([serverId]);
      }
    });

    test('killing the simulator process clears presence through the will', async () => {
      const thermostat = examples.find((f) => f.includes('thermostat'))!;
      const model = await loadDeviceModel({ path: thermostat });
      const name = model.serverName.replaceAll('{n}', '1');
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'simulate', thermostat, '--broker', broker.url], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: root,
      });
      const { client, waitFor } = await rawClient(broker.url, `raw-will-${Date.now()}`);
      try {
        await client.subscribeAsync(`$mcp-server/presence/+/${name}`, { qos: 0 });
        // A new Node process compiling the CLI with tsx: 9 s at load 17, so the wait is a hang guard only.
        const online = await waitFor((r) => r.payload.length > 0, 'the simulated device online', 60_000);
        child.kill('SIGKILL');
        const cleared = await waitFor((r) => r.topic === online.topic && r.payload.length === 0, 'presence cleared by the will');
        assert.equal(cleared.payload, '');
        // A fresh subscriber must not get a stale retained presence any more.
        const fresh = await rawClient(broker.url, `raw-fresh-${Date.now()}`);
        await fresh.client.subscribeAsync(online.topic, { qos: 0 });
        await fresh.client.unsubscribeAsync('sync/none');
        assert.equal(fresh.received.filter((r) => r.topic === online.topic && r.payload.length > 0).length, 0);
        await fresh.client.endAsync();
      } finally {
        child.kill('SIGKILL');
        await client.endAsync();
      }
    });
  });
}
