// RBAC decisions (core/rbac/access.ts), the CONNACK and presence shapes they read, and the policy file
// (core/rbac/policy.ts): what is allowed, why, and that hostile or malformed input never widens access.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessRequestOf, checkAccess, checkRole, roleFor, toolCall, resourceRead, globMatches } from '../../src/core/rbac/access.js';
import { serverAccess } from '../../src/core/rbac/client-access.js';
import { parsePolicy, PolicyError } from '../../src/core/rbac/policy.js';
import { rbacAuthorizer } from '../../src/core/rbac/enforcer.js';
import { parseConnackProperties } from '../../src/core/protocol/properties.js';
import { broker as brokerCommand } from '../../src/cli/commands/broker.js';
import { CommandError } from '../../src/cli/args.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePresence, type RbacRole } from '../../src/core/protocol/presence.js';

const viewer: RbacRole = { name: 'viewer', allowedMethods: ['notifications/initialized', 'tools/list', 'tools/call', 'resources/read'], allowedTools: ['get_status'], allowedResources: ['device://t/attributes/*'] };
const admin: RbacRole = { name: 'admin', allowedMethods: ['notifications/initialized', 'tools/call', 'resources/read'], allowedTools: 'all', allowedResources: 'all' };
const assigned = [{ serverName: 'home/thermostat/#', roleName: 'viewer' }, { serverName: 'home/light', roleName: 'admin' }];

describe('RBAC access', () => {
  it('allows everything without MCP-RBAC, and says why', () => {
    const access = checkAccess(undefined, [viewer], 'home/thermostat/1', toolCall('set_target'));
    assert.deepEqual(access, { allowed: true, reason: 'the broker assigns no RBAC roles' });
  });

  it('allows what the role lists and refuses the rest, naming the role', () => {
    assert.equal(checkAccess(assigned, [viewer, admin], 'home/thermostat/1', toolCall('get_status')).allowed, true);
    const refused = checkAccess(assigned, [viewer, admin], 'home/thermostat/1', toolCall('set_target'));
    assert.deepEqual(refused, { allowed: false, reason: 'role viewer does not allow tool set_target', role: 'viewer' });
    assert.equal(checkAccess(assigned, [viewer, admin], 'home/thermostat/1', { method: 'prompts/list' }).reason, 'role viewer does not allow method prompts/list');
    assert.equal(checkAccess(assigned, [viewer, admin], 'home/light', toolCall('anything')).allowed, true);
  });

  it('matches resources exactly or by * glob', () => {
    assert.equal(checkRole(viewer, resourceRead('device://t/attributes/temperature')).allowed, true);
    assert.equal(checkRole(viewer, resourceRead('device://t/events')).allowed, false);
    assert.equal(checkRole(viewer, { method: 'resources/subscribe', resource: 'device://t/events' }).reason, 'role viewer does not allow method resources/subscribe');
  });

  it('is unrestricted where the spec leaves it open: no role for the server, no declared roles', () => {
    assert.match(checkAccess(assigned, [viewer], 'other/device', toolCall('x')).reason, /assigns no role for other\/device/);
    assert.equal(checkAccess(assigned, [], 'home/thermostat/1', toolCall('set_target')).allowed, true);
  });

  it('refuses a role the server does not declare', () => {
    const access = checkAccess(assigned, [admin], 'home/thermostat/1', toolCall('get_status'));
    assert.deepEqual(access, { allowed: false, reason: 'role viewer is not one home/thermostat/1 declares', role: 'viewer' });
  });

  it('never refuses de-initializing or cancelling', () => {
    assert.equal(checkRole({ name: 'none', allowedMethods: [] }, { method: 'notifications/disconnected' }).allowed, true);
    assert.equal(checkRole({ name: 'none', allowedMethods: [] }, { method: 'notifications/initialized' }).allowed, false);
  });

  it('takes the first matching assignment, by exact name or filter', () => {
    assert.equal(roleFor(assigned, 'home/thermostat/a/b'), 'viewer');
    assert.equal(roleFor(assigned, 'home/light'), 'admin');
    assert.equal(roleFor(assigned, 'home/light/2'), undefined);
  });

  it('reads what a JSON-RPC message asks for, and nothing from hostile shapes', () => {
    assert.deepEqual(accessRequestOf({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'set_target' } }), { method: 'tools/call', tool: 'set_target' });
    assert.deepEqual(accessRequestOf({ method: 'resources/read', params: { uri: 7 } }), { method: 'resources/read', resource: '' });
    assert.deepEqual(accessRequestOf({ method: 'tools/call', params: null }), { method: 'tools/call', tool: '' });
    for (const m of [null, 1, 'x', [], { id: 1, result: {} }, { method: 5 }]) assert.equal(accessRequestOf(m), undefined);
    // A tools/call without a name is not "no tool": it is refused unless the role allows all tools.
    assert.equal(checkRole(viewer, { method: 'tools/call', tool: '' }).allowed, false);
  });

  it('globs in linear time', () => {
    assert.equal(globMatches('a*b*c', 'a-x-b-y-c'), true);
    assert.equal(globMatches('a*b*c', 'a-x-c-b'), false);
    assert.equal(globMatches('ab*ba', 'aba'), false);
    const started = process.hrtime.bigint();
    assert.equal(globMatches('*a*a*a*a*a*a*a*a*b', 'a'.repeat(50_000)), false);
    // Backtracking would take minutes here; an assertion on a generous bound is enough to catch it.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2000);
  });

  it('client view: no MCP-RBAC means nothing restricted, without reading presence', () => {
    let read = 0;
    const registry = { instancesOf: () => { read++; return [{ rbacRoles: [viewer] }]; } };
    assert.equal(serverAccess({ rbacAssignments: undefined, registry }, 'home/thermostat/1').restricted, false);
    assert.equal(read, 0);
    const access = serverAccess({ rbacAssignments: assigned, registry }, 'home/thermostat/1');
    assert.equal(access.tool('set_target').allowed, false);
    assert.equal(access.resource('device://t/attributes/x').allowed, true);
  });
});

describe('RBAC in CONNACK and presence', () => {
  it('reads MCP-RBAC, reports malformed values and entries, and treats a broken value as no RBAC', () => {
    const ok = parseConnackProperties({ 'MCP-RBAC': JSON.stringify([{ server_name: 'a/b', role_name: 'r' }, { server_name: 1 }, 'x']) });
    assert.deepEqual(ok.rbac, [{ serverName: 'a/b', roleName: 'r' }]);
    assert.match(ok.problems.join(), /2 entries without string server_name and role_name ignored/);
    for (const bad of ['{not json', '{"server_name":"a","role_name":"r"}', '42']) {
      const parsed = parseConnackProperties({ 'MCP-RBAC': bad });
      assert.equal(parsed.rbac, undefined);
      assert.match(parsed.problems.join(), /treated as no RBAC/);
    }
    assert.equal(parseConnackProperties({}).rbac, undefined);
  });

  it('reads meta.rbac.roles in the spec shape and skips broken roles', () => {
    const presence = JSON.stringify({
      jsonrpc: '2.0', method: 'notifications/server/online',
      params: { description: 'd', meta: { rbac: { roles: [
        { name: 'viewer', description: 'v', allowed_methods: ['tools/call', 3], allowed_tools: ['get_status'], allowed_resources: 'all' },
        { description: 'no name' }, 'junk', { name: 'odd', allowed_tools: 'some' },
      ] } } },
    });
    const parsed = parsePresence(presence, 'x/y');
    assert.equal(parsed.kind, 'online');
    if (parsed.kind !== 'online') return;
    assert.deepEqual(parsed.info.rbacRoles, [
      { name: 'viewer', description: 'v', allowedMethods: ['tools/call'], allowedTools: ['get_status'], allowedResources: 'all' },
      { name: 'odd' },
    ]);
  });
});

const POLICY = `
rules:
  - match: { clientId: "alice-*", componentType: mcp-client }
    serverNameFilters: ["home/#"]
    rbac: [{ server_name: "home/#", role_name: viewer }]
  - match: { componentType: mcp-server, clientId: "dev-*" }
    serverName: "lab/{clientId}"
roles:
  - name: viewer
    servers: "home/#"
    allowed_methods: [notifications/initialized, tools/call]
    allowed_tools: [get_status]
    allowed_resources: []
`;

describe('RBAC policy file', () => {
  it('loads YAML and JSON into rules and roles', () => {
    const policy = parsePolicy(POLICY, 'p.yaml');
    assert.equal(policy.rules.length, 2);
    assert.deepEqual(policy.rules[0]?.rbac, [{ serverName: 'home/#', roleName: 'viewer' }]);
    assert.deepEqual(policy.roles[0], { name: 'viewer', servers: 'home/#', allowedMethods: ['notifications/initialized', 'tools/call'], allowedTools: ['get_status'], allowedResources: [] });
    assert.deepEqual(parsePolicy('{"rules":[{"match":{}}]}', 'p.json'), { rules: [{ match: {} }], roles: [] });
  });

  it('refuses malformed policies with every problem and where it is', () => {
    const cases: [string, RegExp][] = [
      ['rules: 3', /rules: must be a list/],
      ['rules: [{ match: { clientID: x } }]', /rules\[0\]\.match\.clientID: unknown key/],
      ['rules: [{ rbac: [] }]', /rules\[0\]\.match: must be an object/],
      ['rules: [{ match: {}, rbac: [{ server_name: "a/+/#/b", role_name: r }] }]', /rbac\[0\]\.server_name/],
      ['rules: [{ match: {}, serverNameFilters: [] }]', /serverNameFilters: must be a non-empty list/],
      ['rules: [{ match: {}, serverName: "a/#" }]', /serverName: must be a non-empty server-name without \+ or #/],
      ['roles: [{ name: r, allowed_methods: [tools/call], allowed_tools: all, allowed_resources: all }]', /lacks "notifications\/initialized"/],
      ['roles: [{ name: r, allowed_methods: [notifications/initialized], allowed_tools: some }]', /allowed_tools: must be a list[\s\S]*allowed_resources: must be a list/],
      ['- just a list', /must be an object/],
      ['rules: [ { match: {', /not valid YAML/],
    ];
    for (const [text, expected] of cases) {
      assert.throws(() => parsePolicy(text, 'bad.yaml'), (e: Error) => e instanceof PolicyError && expected.test(e.message), text);
    }
    assert.throws(() => parsePolicy('{', 'bad.json'), /bad\.json: not valid JSON/);
  });

  it('as an authorizer: hands out CONNACK properties by rule and refuses disallowed requests with an answer', () => {
    const enforcer = rbacAuthorizer(parsePolicy(POLICY, 'p.yaml'));
    const client = enforcer.connect?.({ clientId: 'alice-1', username: undefined, userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-client' } });
    assert.deepEqual(client, { 'MCP-SERVER-NAME-FILTERS': '["home/#"]', 'MCP-RBAC': '[{"server_name":"home/#","role_name":"viewer"}]' });
    assert.deepEqual(enforcer.connect?.({ clientId: 'dev-7', username: undefined, userProperties: { 'MCP-COMPONENT-TYPE': 'mcp-server' } }), { 'MCP-SERVER-NAME': 'lab/dev-7' });
    assert.equal(enforcer.connect?.({ clientId: 'bob', username: undefined, userProperties: {} }), undefined);

    const publish = (clientId: string, topic: string, message: unknown) =>
      enforcer.publish?.({ clientId, username: undefined, topic, payload: Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)), qos: 1, retain: false, userProperties: undefined });
    const rpc = '$mcp-rpc/alice-1/t1/home/thermostat/1';
    // The server declares no roles: the policy's viewer applies.
    assert.equal(publish('alice-1', rpc, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_status' } }), undefined);
    const refused = publish('alice-1', rpc, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'set_target' } });
    assert.equal(refused?.reasonCode, 0x87);
    assert.equal(refused?.reasonString, 'not allowed: role viewer does not allow tool set_target');
    assert.equal(refused?.answer?.topic, rpc);
    assert.deepEqual(JSON.parse(String(refused?.answer?.payload)), { jsonrpc: '2.0', id: 2, error: { code: -32003, message: 'not allowed: role viewer does not allow tool set_target', data: { rbac: { role: 'viewer', reason: 'role viewer does not allow tool set_target' } } } });
    // A refused notification has no one to answer: the PUBACK alone says it.
    assert.equal(publish('alice-1', rpc, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' })?.answer, undefined);
    // Responses, non-JSON, the server's own publishes and other clients are not this policy's to refuse.
    assert.equal(publish('alice-1', rpc, { jsonrpc: '2.0', id: 9, result: {} }), undefined);
    assert.equal(publish('alice-1', rpc, '{oops'), undefined);
    assert.equal(publish('t1', rpc, { jsonrpc: '2.0', id: 3, method: 'sampling/createMessage' }), undefined);
    assert.equal(publish('bob', '$mcp-rpc/bob/t1/home/thermostat/1', { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'set_target' } }), undefined);

    // Once the server declares roles in its presence, those win over the policy's.
    const presence = { jsonrpc: '2.0', method: 'notifications/server/online', params: { description: 'd', meta: { rbac: { roles: [{ name: 'viewer', allowed_methods: ['notifications/initialized', 'tools/call'], allowed_tools: 'all', allowed_resources: 'all' }] } } } };
    assert.equal(publish('t1', '$mcp-server/presence/t1/home/thermostat/1', presence), undefined);
    assert.equal(publish('alice-1', rpc, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'set_target' } }), undefined);
    // Offline presence forgets them again.
    publish('t1', '$mcp-server/presence/t1/home/thermostat/1', '');
    assert.equal(publish('alice-1', rpc, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'set_target' } })?.reasonCode, 0x87);
    enforcer.closed?.('alice-1');
    assert.equal(enforcer.assignmentsOf('alice-1'), undefined);
    assert.equal(publish('alice-1', rpc, { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'set_target' } }), undefined);
  });
});

describe('mqtt-mcp broker --rbac', () => {
  it('refuses a missing or invalid policy file with a one-line reason, before listening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbac-cli-'));
    try {
      await assert.rejects(brokerCommand(['--port', '0', '--rbac', join(dir, 'missing.yaml')]), (e: Error) => e instanceof CommandError && /cannot read RBAC policy .*missing\.yaml/.test(e.message));
      writeFileSync(join(dir, 'bad.yaml'), 'rules: [{ match: { clientID: x } }]');
      await assert.rejects(brokerCommand(['--port', '0', '--rbac', join(dir, 'bad.yaml')]), (e: Error) => e instanceof CommandError && /bad\.yaml: invalid RBAC policy:\n {2}rules\[0\]\.match\.clientID: unknown key/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
