// The registry stays bounded over a long run (issue 14 D11), and presence kept as text is parsed when first
// read, with a malformed one reported then, for that instance only (issue 14 D2, issue 15 lazy presence).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryRegistry, type ServerInstance } from '../../src/core/discovery/registry.js';
import { buildOnlineMessage, hasCommonPresenceShape, MAX_PRESENCE_DEPTH, parsePresence } from '../../src/core/protocol/presence.js';

const deepMeta = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepPresence = (levels: number): string =>
  `{"jsonrpc":"2.0","method":"notifications/server/online","params":{"server_name":"x","description":"deep","meta":${deepMeta(levels)}}}`;

describe('DiscoveryRegistry retention of offline names', () => {
  it('forgets the oldest offline names beyond maxNames: 50,000 names gone offline leave at most the limit', () => {
    const registry = new DiscoveryRegistry(50, { maxNames: 1_000 });
    for (let i = 0; i < 50_000; i++) {
      registry.online(`s${i}`, `fleet/d${i}`, { description: '', meta: {}, rbacRoles: [] }, i);
      registry.offline(`s${i}`, `fleet/d${i}`, i + 1);
    }
    assert.equal(registry.size, 1_000);
    assert.ok(registry.get('fleet/d49999'), 'the most recent offline names stay listed');
    assert.equal(registry.get('fleet/d0'), undefined, 'the oldest are forgotten');
    registry.dispose();
  });

  it('forgets names offline longer than maxAgeMs, and never an online one', () => {
    const registry = new DiscoveryRegistry(50, { maxAgeMs: 1_000 });
    const info = { description: '', meta: {}, rbacRoles: [] };
    registry.online('s1', 'old', info, 0);
    registry.offline('s1', 'old', 10);
    registry.online('s2', 'alive', info, 0);
    registry.online('s3', 'back', info, 0);
    registry.offline('s3', 'back', 20);
    registry.online('s3', 'back', info, 30);
    registry.online('s4', 'recent', info, 0);
    registry.offline('s4', 'recent', 1_500);
    assert.equal(registry.get('old'), undefined, 'offline since 10, swept at 1,500');
    assert.ok(registry.get('alive')?.online);
    assert.ok(registry.get('back')?.online, 'a name that came back is no longer up for forgetting');
    assert.equal(registry.get('recent')?.online, false, 'recently offline stays listed');
    registry.dispose();
  });
});

describe('presence parsed when first read', () => {
  it('recognizes the common shape by its start only', () => {
    assert.ok(hasCommonPresenceShape(Buffer.from(buildOnlineMessage('a/b', 'd', { v: 1 }))));
    assert.ok(!hasCommonPresenceShape(Buffer.from('{"method":"notifications/server/online"}')));
    assert.ok(!hasCommonPresenceShape(Buffer.from('[]')));
  });

  it('a presence nesting 20,000 levels is refused by parsePresence with a clear reason', () => {
    const result = parsePresence(Buffer.from(deepPresence(20_000)), 'x');
    assert.equal(result.kind, 'invalid');
    assert.match(result.kind === 'invalid' ? result.reason : '', new RegExp(`deeper than ${MAX_PRESENCE_DEPTH} levels`));
    assert.equal(parsePresence(Buffer.from(deepPresence(MAX_PRESENCE_DEPTH - 5)), 'x').kind, 'online', 'moderate nesting is fine');
    const inString = `{"jsonrpc":"2.0","method":"notifications/server/online","params":{"description":"${'['.repeat(500)}"}}`;
    assert.equal(parsePresence(inString, 'x').kind, 'online', 'brackets inside strings do not count');
  });

  it('a deferred malformed presence shows no details and is reported once, for its instance only', () => {
    const registry = new DiscoveryRegistry();
    const reports: { instance: ServerInstance; problem: string }[] = [];
    registry.reportProblem = (instance, problem) => reports.push({ instance, problem });
    registry.onlineDeferred('s1', 'deep', deepPresence(20_000));
    registry.onlineDeferred('s2', 'fine', buildOnlineMessage('fine', 'a fine device', { v: 2 }));
    registry.onlineDeferred('s3', 'cut', buildOnlineMessage('cut', 'truncated').slice(0, 70));
    assert.equal(reports.length, 0, 'nothing is parsed before it is read');
    const [cut, deep, fine] = registry.servers();
    assert.equal(fine?.instances[0]?.description, 'a fine device');
    assert.deepEqual(fine?.instances[0]?.meta, { v: 2 });
    assert.equal(deep?.instances[0]?.description, '');
    assert.deepEqual(deep?.instances[0]?.meta, {});
    assert.match(deep?.instances[0]?.presenceProblem ?? '', /deeper than/);
    assert.match(cut?.instances[0]?.presenceProblem ?? '', /not JSON/);
    void deep?.instances[0]?.meta;
    assert.deepEqual(reports.map((r) => r.instance.serverName).sort(), ['cut', 'deep']);
    assert.doesNotThrow(() => JSON.stringify(registry.servers().map((s) => s.instances.map((i) => i.meta))));
    registry.dispose();
  });

  it('the same presence text again is no change; different text is', () => {
    const registry = new DiscoveryRegistry();
    const text = buildOnlineMessage('n', 'one');
    registry.onlineDeferred('s1', 'n', text, 1);
    registry.flush();
    let changes = 0;
    registry.onDidChange(() => changes++);
    registry.onlineDeferred('s1', 'n', text, 2);
    registry.flush();
    assert.equal(changes, 0);
    assert.equal(registry.get('n')?.lastChange, 1);
    registry.onlineDeferred('s1', 'n', buildOnlineMessage('n', 'two'), 3);
    registry.flush();
    assert.equal(changes, 1);
    assert.equal(registry.get('n')?.instances[0]?.description, 'two');
    registry.dispose();
  });
});
