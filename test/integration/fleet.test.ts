// The fleet server over the gateway, with the official SDK Client over Streamable HTTP, on both brokers.
// 1,000 devices: 50 run real MCP servers (McpMqttServerHost), 950 are retained presence only (a large
// fleet's tail, cheap enough for one test process on two cores). The agent finds them by filter, describes
// one, calls a tool on one and on the 50 through call_many, and gets a schema error before anything is sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { publishPresenceFleet } from '../helpers/fleet.js';
import { waitUntil } from '../fixtures/raw-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { NewEvent } from '../../src/core/events/event-log.js';
import { McpGateway } from '../../src/core/gateway/index.js';
import { progressBeforeResult, recordIncoming, startHostedDevice, type HostedDevice } from './gateway-devices.js';

const LIVE = 50;
const PRESENCE_ONLY = 950;
const CAP = 60;

type Structured = Record<string, unknown>;
const structured = (r: unknown): Structured => (r as CallToolResult).structuredContent as Structured;

for (const kind of brokerKinds()) {
  describe(`fleet server over the gateway (${kind})`, () => {
    let broker: TestBroker;
    let client: McpMqttClient;
    let gateway: McpGateway;
    let agent: Client;
    let agentTransport: StreamableHTTPClientTransport;
    const devices: HostedDevice[] = [];
    const events: NewEvent[] = [];
    const prefix = `fleet-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      broker = await startBroker(kind);
      await publishPresenceFleet(broker.url, `${prefix}/tail`, PRESENCE_ONLY);
      for (let i = 0; i < LIVE; i += 10) {
        devices.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => startHostedDevice(broker.url, `live${i + j}`, `${prefix}/live/dev-${String(i + j).padStart(2, '0')}`)))));
      }
      client = new McpMqttClient({
        broker: { url: broker.url },
        reconnect: false,
        serverNameFilters: [`${prefix}/#`],
        timeouts: { initializeMs: 3_000, callMs: 10_000 },
        events: (e) => events.push(e),
      });
      await client.connect();
      await waitUntil(() => client.registry.onlineCount === LIVE + PRESENCE_ONLY, `${LIVE + PRESENCE_ONLY} devices online`);
      gateway = new McpGateway({ client, fleet: { maxCallMany: CAP } });
      const address = await gateway.start();
      const fleet = gateway.fleetServer();
      assert.ok(fleet, 'the gateway serves a fleet server');
      assert.equal(fleet.name, `${broker.url} fleet`);
      agentTransport = new StreamableHTTPClientTransport(new URL(fleet.url), { requestInit: { headers: { Authorization: `Bearer ${address.token}` } } });
      agent = new Client({ name: 'fleet-test-agent', version: '1' });
      await agent.connect(agentTransport);
    });

    after(async () => {
      await agent?.close().catch(() => undefined);
      await gateway?.stop();
      await client?.close();
      await Promise.all(devices.map((d) => d.host.stop().catch(() => undefined)));
      await broker?.stop();
    });

    it('lists five tools', async () => {
      const { tools } = await agent.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['call_device_tool', 'call_many', 'describe_device', 'find_devices', 'read_device_resource']);
    });

    it('find_devices: 1,000 by filter, paged; a narrower filter and a text match', async () => {
      const all = structured(await agent.callTool({ name: 'find_devices', arguments: { filter: `${prefix}/#`, limit: 500 } }));
      assert.equal(all.total, LIVE + PRESENCE_ONLY);
      assert.equal((all.devices as unknown[]).length, 500);
      const second = structured(await agent.callTool({ name: 'find_devices', arguments: { filter: `${prefix}/#`, limit: 500, cursor: all.next_cursor } }));
      assert.equal((second.devices as unknown[]).length, 500);
      assert.equal(second.next_cursor, undefined);
      const names = new Set([...(all.devices as { name: string }[]), ...(second.devices as { name: string }[])].map((d) => d.name));
      assert.equal(names.size, LIVE + PRESENCE_ONLY, 'two pages, no overlap');
      const live = structured(await agent.callTool({ name: 'find_devices', arguments: { filter: `${prefix}/live/+` } }));
      assert.equal(live.total, LIVE);
      const room = structured(await agent.callTool({ name: 'find_devices', arguments: { filter: `${prefix}/tail/room-3/+` } }));
      assert.equal(room.total, 100);
      const text = structured(await agent.callTool({ name: 'find_devices', arguments: { text: 'fleet sensor 123' } }));
      assert.deepEqual((text.devices as { name: string }[]).map((d) => d.name), [`${prefix}/tail/room-1/sensor-123`]);
      const bad = (await agent.callTool({ name: 'find_devices', arguments: { limit: 0 } })) as CallToolResult;
      assert.equal(bad.isError, true, 'the fleet tool checks its own arguments');
    });

    it('describe_device gives tools with input schemas; find_devices then knows its tool names', async () => {
      const name = `${prefix}/live/dev-07`;
      const d = structured(await agent.callTool({ name: 'describe_device', arguments: { server_name: name } }));
      const add = (d.tools as { name: string; inputSchema: { properties?: object } }[]).find((t) => t.name === 'add');
      assert.ok(add?.inputSchema.properties && 'a' in add.inputSchema.properties);
      const found = structured(await agent.callTool({ name: 'find_devices', arguments: { filter: name } }));
      assert.ok(((found.devices as { tools?: string[] }[])[0]?.tools ?? []).includes('add'));
    });

    it('call_device_tool: a result, a device error, an unreachable device, and progress passed through', async () => {
      const ok = (await agent.callTool({ name: 'call_device_tool', arguments: { server_name: `${prefix}/live/dev-03`, tool: 'add', arguments: { a: 2, b: 40 } } })) as CallToolResult;
      assert.equal(ok.isError, false);
      assert.deepEqual(ok.content, [{ type: 'text', text: '42' }]);
      assert.equal(structured(ok).outcome, 'ok');
      assert.deepEqual(structured(ok).content, ok.content, 'the device\'s answer is in the structured content too (all VS Code gives the model)');

      const failed = (await agent.callTool({ name: 'call_device_tool', arguments: { server_name: `${prefix}/live/dev-03`, tool: 'fail' } })) as CallToolResult;
      assert.equal(failed.isError, true);
      assert.equal(structured(failed).outcome, 'device_error');

      const silent = (await agent.callTool({ name: 'call_device_tool', arguments: { server_name: `${prefix}/tail/room-0/sensor-5`, tool: 'add', arguments: {} } })) as CallToolResult;
      assert.equal(silent.isError, true);
      assert.equal(structured(silent).outcome, 'transport_error', 'a presence with nobody behind it is a transport failure, not a device error');

      const seen = recordIncoming(agentTransport as never);
      const counted = (await agent.callTool(
        { name: 'call_device_tool', arguments: { server_name: `${prefix}/live/dev-04`, tool: 'count', arguments: { to: 3 } } },
        undefined,
        { onprogress: () => undefined },
      )) as CallToolResult;
      assert.equal(structured(counted).outcome, 'ok');
      // The device's own progress values, under the agent's token, before the result.
      assert.deepEqual(progressBeforeResult(seen, (seen.at(-1) as { id: number }).id), [1, 2, 3]);
    });

    it('call_device_tool: the agent cancelling reaches the device as notifications/cancelled, and the call ends', async () => {
      const name = `${prefix}/live/dev-06`;
      const device = devices.find((d) => d.host.serverName === name);
      assert.ok(device);
      const abort = new AbortController();
      const started = device.waitStarted();
      const call = agent.callTool({ name: 'call_device_tool', arguments: { server_name: name, tool: 'wait' } }, undefined, { signal: abort.signal });
      await started;
      const before = device.cancelled;
      abort.abort('the user stopped it');
      await assert.rejects(call);
      await waitUntil(() => device.cancelled > before, 'the device to see the cancellation');
      const cancelled = events.filter((e) => e.serverName === name && e.direction === 'out' && e.method === 'notifications/cancelled');
      assert.equal(cancelled.length, 1, 'one notifications/cancelled went to the device over MQTT');
      // The fleet and the device session are free again: the next call on the same device is answered.
      const next = (await agent.callTool({ name: 'call_device_tool', arguments: { server_name: name, tool: 'add', arguments: { a: 1, b: 2 } } })) as CallToolResult;
      assert.deepEqual(next.content, [{ type: 'text', text: '3' }]);
    });

    it('call_device_tool: arguments that break the schema are refused before anything is sent', async () => {
      const name = `${prefix}/live/dev-05`;
      await agent.callTool({ name: 'describe_device', arguments: { server_name: name } });
      const sentBefore = events.filter((e) => e.serverName === name && e.method === 'tools/call').length;
      const bad = (await agent.callTool({ name: 'call_device_tool', arguments: { server_name: name, tool: 'add', arguments: { a: 'two' } } })) as CallToolResult;
      assert.equal(bad.isError, true);
      const s = structured(bad);
      assert.equal(s.outcome, 'invalid_arguments');
      assert.ok((s.issues as { path: string }[]).some((i) => i.path === 'a'), JSON.stringify(s.issues));
      assert.ok((s.issues as { path: string }[]).some((i) => i.path === 'b' || /b/.test(JSON.stringify(i))), 'the missing b is reported too');
      assert.equal(events.filter((e) => e.serverName === name && e.method === 'tools/call').length, sentBefore, 'no tools/call went to the device');
      const unknown = structured(await agent.callTool({ name: 'call_device_tool', arguments: { server_name: name, tool: 'nope' } }));
      assert.equal(unknown.outcome, 'unknown_tool');
    });

    it('call_many: one tool on the 50 live devices, bounded by the cap', async () => {
      const many = (await agent.callTool({ name: 'call_many', arguments: { filter: `${prefix}/live/#`, tool: 'add', arguments: { a: 1, b: 1 }, concurrency: 8 } })) as CallToolResult;
      const s = structured(many);
      assert.equal(s.total, LIVE);
      assert.deepEqual(s.counts, { ok: LIVE });
      const results = s.results as { server_name: string; outcome: string; content: { text: string }[] }[];
      assert.equal(new Set(results.map((r) => r.server_name)).size, LIVE);
      assert.ok(results.every((r) => r.content[0]?.text === '2'));
      const agentCalls = events.filter((e) => e.method === 'tools/call' && e.direction === 'out' && e.source === 'agent' && e.serverName?.startsWith(`${prefix}/live/`));
      assert.ok(new Set(agentCalls.map((e) => e.serverName)).size >= LIVE, 'the timeline names each real device, with source agent');

      const capped = (await agent.callTool({ name: 'call_many', arguments: { filter: `${prefix}/#`, tool: 'add' } })) as CallToolResult;
      assert.equal(capped.isError, true);
      assert.match((capped.content[0] as { text: string }).text, new RegExp(`1000 online devices match .* cap of ${CAP}`));
    });
  });
}
