// Topics, user properties and presence payloads: the wire vocabulary of MCP over MQTT (spec digest §1-§4).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TopicError,
  assertValidId,
  assertUsableServerName,
  assertValidServerName,
  assertValidServerNameFilter,
  parseTopic,
  topicMatches,
  topics,
} from '../../src/core/protocol/topics.js';
import {
  PROP,
  connectProperties,
  firstProperty,
  parseConnackProperties,
  parseMetaProperty,
  publishProperties,
} from '../../src/core/protocol/properties.js';
import { DISCONNECTED_MESSAGE, buildOnlineMessage, parsePresence } from '../../src/core/protocol/presence.js';

const NAMES = ['a', 'devices/light', '3D-Printer/ACH301/EECF7892AB1', 'ESP32 Demo Server', 'café/温度/🌡️', 'x/y/z/w/v/u'];
const IDS = ['dev1', 'mcp-client-ABC', '$mcp-gateway:0a1b', 'ünïcode-ид', 'a.b-c_d'];

describe('topics: build and parse round trips', () => {
  for (const name of NAMES) {
    for (const id of IDS) {
      it(`round-trips id ${JSON.stringify(id)} with name ${JSON.stringify(name)}`, () => {
        assert.deepEqual(parseTopic(topics.serverControl(id, name)), { kind: 'server-control', serverId: id, serverName: name });
        assert.deepEqual(parseTopic(topics.serverCapability(id, name)), { kind: 'server-capability', serverId: id, serverName: name });
        assert.deepEqual(parseTopic(topics.serverPresence(id, name)), { kind: 'server-presence', serverId: id, serverName: name });
        assert.deepEqual(parseTopic(topics.rpc('cid-1', id, name)), { kind: 'rpc', clientId: 'cid-1', serverId: id, serverName: name });
        assert.deepEqual(parseTopic(topics.clientPresence(id)), { kind: 'client-presence', clientId: id });
        assert.deepEqual(parseTopic(topics.clientCapability(id)), { kind: 'client-capability', clientId: id });
        assert.deepEqual(parseTopic(topics.legacyRpc(id, name)), { kind: 'legacy-rpc', clientId: id, serverName: name });
      });
    }
  }

  it('builds the exact spec topic strings', () => {
    assert.equal(topics.serverControl('s1', 'a/b'), '$mcp-server/s1/a/b');
    assert.equal(topics.serverCapability('s1', 'a/b'), '$mcp-server/capability/s1/a/b');
    assert.equal(topics.serverPresence('s1', 'a/b'), '$mcp-server/presence/s1/a/b');
    assert.equal(topics.clientPresence('c1'), '$mcp-client/presence/c1');
    assert.equal(topics.clientCapability('c1'), '$mcp-client/capability/c1');
    assert.equal(topics.rpc('c1', 's1', 'a/b'), '$mcp-rpc/c1/s1/a/b');
    assert.equal(topics.presenceFilter('#'), '$mcp-server/presence/+/#');
    assert.equal(topics.presenceFilter('devices/+/light'), '$mcp-server/presence/+/devices/+/light');
    assert.equal(topics.legacyRpc('c1', 'a/b'), '$mcp-rpc-endpoint/c1/a/b');
    assert.equal(topics.legacyCapability('list-changed', 's1', 'a/b'), '$mcp-server/capability/list-changed/s1/a/b');
    assert.equal(topics.legacyCapability('resource-updated', 's1', 'a/b'), '$mcp-server/capability/resource-updated/s1/a/b');
  });

  it('takes the id as one level and the name as all the remaining levels', () => {
    assert.deepEqual(parseTopic('$mcp-server/presence/sid/a/b/c'), { kind: 'server-presence', serverId: 'sid', serverName: 'a/b/c' });
    assert.deepEqual(parseTopic('$mcp-rpc/cid/sid/a/b/c'), { kind: 'rpc', clientId: 'cid', serverId: 'sid', serverName: 'a/b/c' });
  });
});

describe('topics: hostile ids and names', () => {
  for (const bad of ['', 'a/b', '+', '#', 'a+b', 'x#', 'nul\u0000id']) {
    it(`refuses id ${JSON.stringify(bad)} in every builder`, () => {
      assert.throws(() => assertValidId('server-id', bad), TopicError);
      assert.throws(() => topics.serverControl(bad, 'a/b'), TopicError);
      assert.throws(() => topics.serverPresence(bad, 'a/b'), TopicError);
      assert.throws(() => topics.serverCapability(bad, 'a/b'), TopicError);
      assert.throws(() => topics.rpc(bad, 's', 'a/b'), TopicError);
      assert.throws(() => topics.rpc('c', bad, 'a/b'), TopicError);
      assert.throws(() => topics.clientPresence(bad), TopicError);
      assert.throws(() => topics.clientCapability(bad), TopicError);
    });
  }

  for (const bad of ['', '+', '#', 'a/+/b', 'a/#', 'room+1', 'x\u0000y']) {
    it(`refuses server-name ${JSON.stringify(bad)} everywhere`, () => {
      assert.throws(() => assertValidServerName(bad), TopicError);
      assert.throws(() => assertUsableServerName(bad), TopicError);
      assert.throws(() => topics.serverPresence('s', bad), TopicError);
      assert.throws(() => topics.rpc('c', 's', bad), TopicError);
    });
  }

  for (const odd of ['/a', 'a/', 'a//b']) {
    it(`refuses ${JSON.stringify(odd)} as a name to announce, but builds topics to reach a device that uses it`, () => {
      assert.throws(() => assertValidServerName(odd), /empty levels/);
      assert.doesNotThrow(() => assertUsableServerName(odd));
      for (const t of [topics.serverPresence('s', odd), topics.serverControl('s', odd), topics.serverCapability('s', odd)]) {
        const parsed = parseTopic(t);
        assert.ok(parsed && 'serverName' in parsed && parsed.serverName === odd, t);
      }
      assert.deepEqual(parseTopic(topics.rpc('c', 's', odd)), { kind: 'rpc', clientId: 'c', serverId: 's', serverName: odd });
    });
  }

  it('refuses a 64 KB server-name but still parses a 64 KB topic from the wire', () => {
    const huge = 'n'.repeat(64 * 1024);
    assert.throws(() => topics.serverPresence('s', huge), /too long|longer than MQTT allows/);
    assert.throws(() => assertValidServerName(huge), /too long/);
    // A name that fits a topic on its own still cannot be reached once the other levels are added.
    const wireName = 'n'.repeat(65_520);
    assert.throws(() => topics.rpc('cid', 'sid', wireName), /longer than MQTT allows/);
    const wire = `$mcp-server/presence/s/${'n'.repeat(65_000)}`;
    const parsed = parseTopic(wire);
    assert.equal(parsed?.kind, 'server-presence');
    assert.equal(parsed && 'serverName' in parsed ? parsed.serverName.length : 0, 65_000);
    // The name is measured in bytes, not characters: 20,001 three-byte characters are over the limit.
    assert.throws(() => assertValidServerName('温'.repeat(20_001)), /too long/);
    assert.doesNotThrow(() => assertValidServerName('温'.repeat(19_999)));
  });

  it('never builds a topic longer than MQTT allows', () => {
    const cid = 'c'.repeat(4000);
    const sid = 's'.repeat(4000);
    const name = 'n'.repeat(60_000);
    let topic: string | undefined;
    try {
      topic = topics.rpc(cid, sid, name);
    } catch (e) {
      assert.ok(e instanceof TopicError);
    }
    if (topic !== undefined) assert.ok(Buffer.byteLength(topic) <= 65_535, `built a ${Buffer.byteLength(topic)}-byte topic`);
  });

  it('rejects topics that lack a level they need', () => {
    for (const t of [
      '$mcp-server/presence/sid',
      '$mcp-server/presence/sid/',
      '$mcp-server/presence//name',
      '$mcp-server/capability/sid',
      '$mcp-server/sid',
      '$mcp-server/sid/',
      '$mcp-rpc/cid/sid',
      '$mcp-rpc/cid/sid/',
      '$mcp-rpc//sid/name',
      '$mcp-rpc/cid//name',
      '$mcp-client/presence',
      '$mcp-client/presence/',
      '$mcp-client/presence/cid/extra',
      '$mcp-client/other/cid',
      '$mcp-rpc-endpoint/cid',
      '$mcp-rpc-endpoint//name',
      'mcp-server/presence/sid/name',
      'devices/light',
      '',
    ]) {
      assert.equal(parseTopic(t), undefined, t);
    }
  });

  it('rejects a legacy RPC topic with an empty server-name, like every other kind', () => {
    assert.equal(parseTopic('$mcp-rpc-endpoint/cid/'), undefined);
  });

  it('parses non-hierarchical and oddly spaced names leniently (seen in the wild)', () => {
    assert.deepEqual(parseTopic('$mcp-server/presence/esp-1/ESP32 Demo Server'), {
      kind: 'server-presence',
      serverId: 'esp-1',
      serverName: 'ESP32 Demo Server',
    });
    assert.deepEqual(parseTopic('$mcp-server/presence/s/a//b'), { kind: 'server-presence', serverId: 's', serverName: 'a//b' });
  });
});

describe('topics: legacy forms and the capability/list-changed ambiguity', () => {
  it('reads legacy capability topics with their kind', () => {
    assert.deepEqual(parseTopic('$mcp-server/capability/list-changed/s1/a/b'), {
      kind: 'server-capability',
      serverId: 's1',
      serverName: 'a/b',
      legacy: 'list-changed',
    });
    assert.deepEqual(parseTopic('$mcp-server/capability/resource-updated/s1/x'), {
      kind: 'server-capability',
      serverId: 's1',
      serverName: 'x',
      legacy: 'resource-updated',
    });
  });

  it('reads a server whose id is "list-changed" as current only when too few levels remain for the legacy form', () => {
    // One level after "list-changed": cannot be legacy (needs id and name), so it is id "list-changed", name "x".
    assert.deepEqual(parseTopic('$mcp-server/capability/list-changed/x'), {
      kind: 'server-capability',
      serverId: 'list-changed',
      serverName: 'x',
    });
    // The documented ambiguity: with two or more levels the legacy reading wins.
    const built = topics.serverCapability('list-changed', 'a/b');
    assert.deepEqual(parseTopic(built), { kind: 'server-capability', serverId: 'a', serverName: 'b', legacy: 'list-changed' });
  });

  it('legacy RPC topics have no server-id: the whole rest is the name', () => {
    assert.deepEqual(parseTopic('$mcp-rpc-endpoint/c1/dev/x/y'), { kind: 'legacy-rpc', clientId: 'c1', serverName: 'dev/x/y' });
  });
});

describe('topics: filters and matching', () => {
  it('validates server-name filters', () => {
    for (const ok of ['#', '+', 'devices/#', 'devices/+/light', '+/+', 'a']) assert.doesNotThrow(() => assertValidServerNameFilter(ok), ok);
    for (const bad of ['', 'a/#/b', 'a#', '#/a', 'a/b+', '+a/b']) assert.throws(() => assertValidServerNameFilter(bad), TopicError, bad);
  });

  it('matches like an MQTT broker, including the $ rule', () => {
    const cases: [string, string, boolean][] = [
      ['a/b', 'a/b', true],
      ['a/+', 'a/b', true],
      ['a/+', 'a/b/c', false],
      ['a/+', 'a/', true],
      ['a/#', 'a', true],
      ['a/#', 'a/b/c', true],
      ['a/b', 'a/b/c', false],
      ['a/b/c', 'a/b', false],
      ['#', 'a/b', true],
      ['#', '$mcp-rpc/c/s/n', false],
      ['+/c/s/n', '$mcp-rpc/c/s/n', false],
      ['+', '$SYS', false],
      ['$mcp-rpc/#', '$mcp-rpc/c/s/n', true],
      ['$mcp-server/presence/+/#', '$mcp-server/presence/sid/a/b', true],
      ['$mcp-server/presence/+/devices/#', '$mcp-server/presence/sid/devices/light', true],
      ['$mcp-server/presence/+/devices/#', '$mcp-server/presence/sid/other/light', false],
      ['$mcp-server/presence/+/+', '$mcp-server/presence/sid/a/b', false],
      ['$mcp-server/presence/+/#', '$mcp-server/capability/sid/a', false],
    ];
    for (const [filter, topic, expected] of cases) assert.equal(topicMatches(filter, topic), expected, `${filter} vs ${topic}`);
  });
});

describe('properties', () => {
  it('builds CONNECT and PUBLISH user properties', () => {
    assert.deepEqual(publishProperties('mcp-client', 'c1'), { 'MCP-COMPONENT-TYPE': 'mcp-client', 'MCP-MQTT-CLIENT-ID': 'c1' });
    assert.deepEqual(connectProperties('mcp-server', undefined), { 'MCP-COMPONENT-TYPE': 'mcp-server' });
    const withMeta = connectProperties('mcp-client', { version: '1', nested: { a: [1] } });
    assert.equal(withMeta[PROP.componentType], 'mcp-client');
    assert.deepEqual(parseMetaProperty(withMeta), { version: '1', nested: { a: [1] } });
  });

  it('takes the first value of a repeated key', () => {
    assert.equal(firstProperty({ k: ['x', 'y'] }, 'k'), 'x');
    assert.equal(firstProperty({ k: 'x' }, 'k'), 'x');
    assert.equal(firstProperty(undefined, 'k'), undefined);
    assert.equal(firstProperty({}, 'k'), undefined);
  });

  it('reads MCP-META leniently', () => {
    assert.equal(parseMetaProperty({ 'MCP-META': 'not json' }), undefined);
    assert.equal(parseMetaProperty({ 'MCP-META': '[1,2]' }), undefined);
    assert.equal(parseMetaProperty({ 'MCP-META': 'null' }), undefined);
    assert.equal(parseMetaProperty(undefined), undefined);
  });

  it('parses a well-formed gateway CONNACK', () => {
    const parsed = parseConnackProperties({
      'MCP-SERVER-NAME': 'devices/vehicle/acme/1',
      'MCP-SERVER-NAME-FILTERS': '["devices/#","tools/+/x"]',
      'MCP-RBAC': JSON.stringify([{ server_name: 'devices/vehicle', role_name: 'viewer' }, { bogus: 1 }, 'x', null, { server_name: 1, role_name: 'r' }]),
    });
    assert.deepEqual(parsed, {
      // Entries that cannot be used are dropped, and the client says so (a broker bug should not go unseen).
      problems: ['MCP-RBAC: 4 entries without string server_name and role_name ignored'],
      serverName: 'devices/vehicle/acme/1',
      serverNameFilters: ['devices/#', 'tools/+/x'],
      rbac: [{ serverName: 'devices/vehicle', roleName: 'viewer' }],
    });
  });

  it('has no problems and no values when the broker says nothing', () => {
    assert.deepEqual(parseConnackProperties(undefined), { problems: [] });
    assert.deepEqual(parseConnackProperties({}), { problems: [] });
    assert.deepEqual(parseConnackProperties({ 'MCP-SERVER-NAME': '' }), { problems: [] });
  });

  for (const [label, value] of [
    ['malformed JSON', '["devices/#"'],
    ['a JSON object', '{"a":1}'],
    ['an empty array', '[]'],
    ['a non-string entry', '["a/#", 3]'],
    ['an empty-string entry', '[""]'],
    ['a bare string', 'devices/#'],
  ] as const) {
    it(`reports MCP-SERVER-NAME-FILTERS that is ${label} as a problem and keeps the default`, () => {
      const parsed = parseConnackProperties({ 'MCP-SERVER-NAME-FILTERS': value });
      assert.equal(parsed.serverNameFilters, undefined);
      assert.equal(parsed.problems.length, 1);
      assert.match(parsed.problems[0] ?? '', /MCP-SERVER-NAME-FILTERS/);
    });
  }

  it('reports a filter that is not a valid MQTT filter instead of accepting it', () => {
    const parsed = parseConnackProperties({ 'MCP-SERVER-NAME-FILTERS': '["good/#","bad/#/x","a+"]' });
    assert.deepEqual(parsed.serverNameFilters, ['good/#']);
    assert.equal(parsed.problems.length, 2);
    assert.match(parsed.problems[0] ?? '', /bad\/#\/x/);
    assert.match(parsed.problems[1] ?? '', /a\+/);
    const none = parseConnackProperties({ 'MCP-SERVER-NAME-FILTERS': '["#/x"]' });
    assert.equal(none.serverNameFilters, undefined);
    assert.equal(none.problems.length, 1);
  });

  it('reports malformed MCP-RBAC', () => {
    for (const value of ['{', '{"server_name":"a"}', '"x"']) {
      const parsed = parseConnackProperties({ 'MCP-RBAC': value });
      assert.equal(parsed.rbac, undefined, value);
      assert.equal(parsed.problems.length, 1, value);
    }
  });

  it('truncates an enormous malformed property in its problem text', () => {
    const parsed = parseConnackProperties({ 'MCP-SERVER-NAME-FILTERS': 'x'.repeat(100_000) });
    assert.ok((parsed.problems[0]?.length ?? 0) < 400);
  });
});

describe('presence', () => {
  const online = (params: unknown, extra: Record<string, unknown> = {}): Buffer =>
    Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params, ...extra }));

  it('round-trips the online message this project publishes', () => {
    const parsed = parsePresence(Buffer.from(buildOnlineMessage('a/b', 'a lamp', { rbac: { roles: [{ name: 'admin' }] } })), 'a/b');
    assert.equal(parsed.kind, 'online');
    if (parsed.kind !== 'online') return;
    assert.deepEqual(parsed.warnings, []);
    assert.equal(parsed.info.description, 'a lamp');
    assert.deepEqual(parsed.info.rbacRoles, [{ name: 'admin' }]);
    assert.equal(parsed.info.mismatchedServerName, undefined);
    assert.deepEqual(JSON.parse(buildOnlineMessage('a/b', 'd')), {
      jsonrpc: '2.0',
      method: 'notifications/server/online',
      params: { server_name: 'a/b', description: 'd' },
    });
    assert.deepEqual(JSON.parse(DISCONNECTED_MESSAGE), { jsonrpc: '2.0', method: 'notifications/disconnected' });
  });

  it('treats an empty payload as offline', () => {
    assert.deepEqual(parsePresence(Buffer.alloc(0), 'a'), { kind: 'offline' });
  });

  it('accepts a missing server_name (Python SDK) without warnings', () => {
    const parsed = parsePresence(online({ description: 'calc', meta: {} }), 'tools/calc');
    assert.equal(parsed.kind, 'online');
    if (parsed.kind !== 'online') return;
    assert.deepEqual(parsed.warnings, []);
    assert.equal(parsed.info.description, 'calc');
  });

  it('lets the topic name win over a different params.server_name, with a warning', () => {
    const parsed = parsePresence(online({ server_name: 'other/name', description: 'x' }), 'topic/name');
    assert.equal(parsed.kind, 'online');
    if (parsed.kind !== 'online') return;
    assert.equal(parsed.info.mismatchedServerName, 'other/name');
    assert.equal(parsed.warnings.length, 1);
  });

  it('reads roles from the current meta.rbac and the older meta.authorization shapes', () => {
    const role = { name: 'r', description: 'd', allowed_methods: ['tools/call', 7], allowed_tools: 'all', allowed_resources: ['a', null, 'b'] };
    const expected = [{ name: 'r', description: 'd', allowedMethods: ['tools/call'], allowedTools: 'all', allowedResources: ['a', 'b'] }];
    for (const meta of [{ rbac: { roles: [role] } }, { authorization: { roles: [role] } }]) {
      const parsed = parsePresence(online({ description: '', meta }), 'n');
      assert.equal(parsed.kind, 'online');
      if (parsed.kind === 'online') assert.deepEqual(parsed.info.rbacRoles, expected);
    }
    const junk = parsePresence(online({ description: '', meta: { rbac: { roles: [{ description: 'no name' }, 'x', null, { name: 5 }] } } }), 'n');
    assert.equal(junk.kind, 'online');
    if (junk.kind === 'online') assert.deepEqual(junk.info.rbacRoles, []);
    const notArray = parsePresence(online({ description: '', meta: { rbac: { roles: 'all' } } }), 'n');
    if (notArray.kind === 'online') assert.deepEqual(notArray.info.rbacRoles, []);
    else assert.fail('expected online');
  });

  for (const [label, payload] of [
    ['not JSON', '{"jsonrpc":'],
    ['a JSON array', '[{"jsonrpc":"2.0","method":"notifications/server/online"}]'],
    ['a JSON string', '"online"'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['the wrong method', '{"jsonrpc":"2.0","method":"notifications/disconnected"}'],
    ['a method that is not a string', '{"jsonrpc":"2.0","method":5}'],
    ['binary garbage', '\u0000\u00ff\u0001'],
  ] as const) {
    it(`reports a presence payload that is ${label} as invalid`, () => {
      const parsed = parsePresence(Buffer.from(payload), 'n');
      assert.equal(parsed.kind, 'invalid');
      if (parsed.kind === 'invalid') assert.ok(parsed.reason.length > 0);
    });
  }

  it('warns about missing params, a non-string description, an id and a missing jsonrpc, but still goes online', () => {
    const parsed = parsePresence(Buffer.from('{"method":"notifications/server/online","id":1}'), 'n');
    assert.equal(parsed.kind, 'online');
    if (parsed.kind !== 'online') return;
    assert.equal(parsed.info.description, '');
    assert.deepEqual(parsed.info.meta, {});
    assert.equal(parsed.warnings.length, 4);
    const arrayParams = parsePresence(online([1, 2]), 'n');
    assert.equal(arrayParams.kind, 'online');
    const arrayMeta = parsePresence(online({ description: 5, meta: [1] }), 'n');
    assert.equal(arrayMeta.kind, 'online');
    if (arrayMeta.kind === 'online') {
      assert.deepEqual(arrayMeta.info.meta, {});
      assert.equal(arrayMeta.info.description, '');
    }
  });

  it('decodes a payload that is a view into a larger buffer', () => {
    const message = buildOnlineMessage('n', 'view');
    const pool = Buffer.from(`garbage${message}trailing`);
    const view = pool.subarray(7, 7 + Buffer.byteLength(message));
    const parsed = parsePresence(view, 'n');
    assert.equal(parsed.kind, 'online');
    if (parsed.kind === 'online') assert.equal(parsed.info.description, 'view');
  });
});
