// RBAC end to end on the embedded broker with a policy file: the broker hands the client a role in CONNACK,
// the thermostat example declares what each role may do in its presence, an allowed tool works, a
// disallowed one is marked beforehand (client view, fleet server, per-device server) and refused by the
// broker with a clear error at once. On Mosquitto (no MCP-RBAC) nothing is restricted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { EmbeddedBroker, type BrokerAuthorizer } from '../../src/core/broker/index.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { McpGateway } from '../../src/core/gateway/index.js';
import { rbacAuthorizer } from '../../src/core/rbac/enforcer.js';
import { loadPolicyFile } from '../../src/core/rbac/policy.js';
import { serverAccess } from '../../src/core/rbac/client-access.js';
import { Simulator } from '../../src/core/simulator/simulator.js';
import { brokerKinds, startBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, waitUntil } from '../fixtures/raw-device.js';

const THERMOSTAT = join(__dirname, '../../examples/devices/smart-thermostat.device.yaml');
const NAME = 'home/thermostat/1';
const POLICY = `
rules:
  - match: { clientId: "rbac-it-*", componentType: mcp-client }
    serverNameFilters: ["home/#"]
    rbac: [{ server_name: "home/thermostat/#", role_name: viewer }]
`;
type Structured = Record<string, unknown>;
const structured = (r: unknown): Structured => (r as CallToolResult).structuredContent as Structured;

describe('RBAC on the embedded broker with a policy file', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  let simulator: Simulator;
  let client: McpMqttClient;
  let gateway: McpGateway;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rbac-it-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    broker = new EmbeddedBroker({ authorize: rbacAuthorizer(await loadPolicyFile(join(dir, 'policy.yaml'))) });
    const { url } = await broker.start();
    simulator = new Simulator({ broker: { url } });
    await simulator.addFile(THERMOSTAT);
    client = new McpMqttClient({ broker: { url }, clientIdPrefix: 'rbac-it-', reconnect: false, timeouts: { callMs: 20_000 } });
    await client.connect();
    await waitUntil(() => client.registry.isOnline(NAME), `${NAME} online`);
  });

  after(async () => {
    await gateway?.stop();
    await client?.close();
    await simulator?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out the role and filters in CONNACK, and the client marks what the role does not allow', () => {
    assert.deepEqual(client.rbacAssignments, [{ serverName: 'home/thermostat/#', roleName: 'viewer' }]);
    assert.deepEqual(client.serverNameFilters, ['home/#']);
    const access = serverAccess(client, NAME);
    assert.equal(access.tool('get_status').allowed, true);
    assert.deepEqual(access.tool('set_target'), { allowed: false, reason: 'role viewer does not allow tool set_target', role: 'viewer' });
  });

  it('an allowed tool works; a disallowed one is refused by the broker with a clear error, and never reaches the device', async () => {
    const session = await client.session(NAME);
    const status = await session.callTool('get_status', {});
    assert.equal((status as CallToolResult).isError, undefined);
    await assert.rejects(
      session.callTool('set_target', { target: 30 }),
      (e: unknown) => e instanceof McpError && e.code === -32003 && /not allowed: role viewer does not allow tool set_target/.test(e.message),
    );
    const device = simulator.devices()[0];
    assert.equal(device?.runtime.getAttributes().target, 21, 'the device never got set_target');
  });

  it('a refused notification gets PUBACK 0x87 Not authorized', async () => {
    const raw = await connectRawMqtt(broker.url, 'rbac-it-raw', { properties: { userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-client' } } });
    try {
      const serverId = client.registry.instancesOf(NAME)[0]?.serverId;
      const topic = `$mcp-rpc/rbac-it-raw/${serverId}/${NAME}`;
      const error = await new Promise<Error | undefined>((resolve) =>
        raw.publish(topic, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }), { qos: 1 }, (e) => resolve(e ?? undefined)),
      );
      assert.equal((error as { code?: number } | undefined)?.code, 0x87);
    } finally {
      await endAsync(raw);
    }
  });

  it('the fleet server and the per-device server do not offer the disallowed tool, and refuse it before sending', async () => {
    gateway = new McpGateway({ client });
    const address = await gateway.start();
    const connect = async (url: string): Promise<Client> => {
      const agent = new Client({ name: 'rbac-agent', version: '1' });
      await agent.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${address.token}` } } }));
      return agent;
    };
    const fleet = await connect(gateway.fleetServer()?.url as string);
    const described = structured(await fleet.callTool({ name: 'describe_device', arguments: { server_name: NAME } }));
    const toolNames = (described.tools as { name: string }[]).map((t) => t.name);
    assert.ok(toolNames.includes('get_status') && !toolNames.includes('set_target') && !toolNames.includes('set_mode'), toolNames.join());
    assert.ok((described.not_allowed as { name: string; reason: string }[]).some((n) => n.name === 'set_target' && n.reason === 'role viewer does not allow tool set_target'));
    const found = structured(await fleet.callTool({ name: 'find_devices', arguments: { filter: 'home/#' } }));
    const listed = (found.devices as { name: string; tools?: string[] }[]).find((d) => d.name === NAME);
    assert.ok(listed?.tools && !listed.tools.includes('set_target') && listed.tools.includes('get_status'));
    const call = await fleet.callTool({ name: 'call_device_tool', arguments: { server_name: NAME, tool: 'set_target', arguments: { target: 30 } } });
    assert.equal(structured(call).outcome, 'not_allowed');
    assert.equal(call.isError, true);

    const perDevice = await connect(gateway.urlFor(NAME));
    const tools = (await perDevice.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes('get_status') && !tools.includes('set_target'), tools.join());
    await assert.rejects(perDevice.callTool({ name: 'set_target', arguments: { target: 30 } }), /not allowed: role viewer does not allow tool set_target/);
    assert.equal(simulator.devices()[0]?.runtime.getAttributes().target, 21);
    await fleet.close();
    await perDevice.close();
  });
});

describe('broker authorizer hook (generic)', () => {
  it('adds CONNACK properties, refuses a filter and a publish with the reason it is given', async () => {
    const closed: string[] = [];
    const authorizer: BrokerAuthorizer = {
      connect: ({ clientId }) => ({ 'X-Greeting': `hello ${clientId}` }),
      subscribe: ({ filter }) => (filter.startsWith('secret/') ? 0x87 : undefined),
      publish: ({ topic }) => (topic === 'forbidden' ? { reasonCode: 0x87, reasonString: 'no', answer: { topic: 'answers', payload: 'refused' } } : undefined),
      closed: (id) => closed.push(id),
    };
    const broker = new EmbeddedBroker({ authorize: authorizer });
    const { url } = await broker.start();
    const raw = await connectRawMqtt(url, 'hook-client');
    try {
      // MQTT.js fails a SUBSCRIBE with any refused filter, and hands over the SUBACK with the error.
      const suback = await raw.subscribeAsync({ 'secret/x': { qos: 1 }, answers: { qos: 1 } }).then(() => undefined, (e: { packet?: { granted?: number[] } }) => e.packet);
      assert.deepEqual(suback?.granted, [0x87, 1]);
      const answered = new Promise<string>((resolve) => raw.once('message', (_t, p) => resolve(p.toString())));
      const error = await raw.publishAsync('forbidden', 'x', { qos: 1 }).then(() => undefined, (e: Error) => e);
      assert.equal((error as { code?: number } | undefined)?.code, 0x87);
      assert.equal(await answered, 'refused');
    } finally {
      await endAsync(raw);
    }
    await waitUntil(() => closed.includes('hook-client'), 'closed hook called');
    await broker.stop();
  });
});

for (const kind of brokerKinds().filter((k) => k === 'mosquitto')) {
  describe(`no RBAC from the broker (${kind})`, () => {
    it('sends no MCP-RBAC, so nothing is marked and the tool works', async () => {
      const broker = await startBroker(kind);
      const simulator = new Simulator({ broker: { url: broker.url } });
      const client = new McpMqttClient({ broker: { url: broker.url }, clientIdPrefix: 'rbac-it-', reconnect: false, serverNameFilters: ['home/#'] });
      try {
        const [device] = await simulator.addFile(THERMOSTAT);
        await client.connect();
        const name = device?.serverName as string;
        await waitUntil(() => client.registry.isOnline(name), `${name} online`);
        assert.equal(client.rbacAssignments, undefined);
        assert.ok(client.registry.instancesOf(name)[0]?.rbacRoles.some((r) => r.name === 'viewer'), 'the roles are declared all the same');
        assert.equal(serverAccess(client, name).restricted, false);
        const session = await client.session(name);
        await session.callTool('set_target', { target: 25 });
        assert.equal(device?.runtime.getAttributes().target, 25);
      } finally {
        await client.close();
        await simulator.stop();
        await broker.stop();
      }
    });
  });
}

describe('RBAC after a reconnect', () => {
  it('takes the roles of the new CONNACK', async () => {
    const policy = (role: string) => rbacAuthorizer({ rules: [{ match: { clientId: 'rbac-it-*' }, rbac: [{ serverName: '#', roleName: role }] }], roles: [] });
    let broker = new EmbeddedBroker({ authorize: policy('first') });
    const { url, port } = await broker.start();
    const client = new McpMqttClient({ broker: { url }, clientIdPrefix: 'rbac-it-', reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    try {
      await client.connect();
      assert.equal(client.rbacAssignments?.[0]?.roleName, 'first');
      await broker.stop();
      broker = new EmbeddedBroker({ port, authorize: policy('second') });
      await broker.start();
      await waitUntil(() => client.rbacAssignments?.[0]?.roleName === 'second', 'the role of the second CONNACK');
    } finally {
      await client.close();
      await broker.stop();
    }
  });
});
