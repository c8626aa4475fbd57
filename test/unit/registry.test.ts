// The discovery registry: server-name → instances, batched change events, resync after reconnect.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryRegistry, type RegistryChange } from '../../src/core/discovery/registry.js';
import type { PresenceInfo } from '../../src/core/protocol/presence.js';

const info = (description = 'd', meta: Record<string, unknown> = {}): PresenceInfo => ({ description, meta, rbacRoles: [] });

function collect(registry: DiscoveryRegistry): RegistryChange[] {
  const changes: RegistryChange[] = [];
  registry.onDidChange((c) => changes.push(c));
  return changes;
}

describe('DiscoveryRegistry', () => {
  it('batches 10,000 upserts into a handful of change events', async () => {
    const registry = new DiscoveryRegistry(20);
    const changes = collect(registry);
    for (let i = 0; i < 10_000; i++) registry.online(`s${i}`, `fleet/dev${i}`, info());
    assert.equal(changes.length, 0, 'nothing is delivered synchronously');
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(changes.length >= 1 && changes.length <= 3, `got ${changes.length} events`);
    const names = new Set(changes.flatMap((c) => c.names));
    assert.equal(names.size, 10_000);
    assert.equal(registry.size, 10_000);
    assert.equal(registry.onlineCount, 10_000);
    registry.dispose();
  });

  it('flush() delivers pending changes at once, and only once', () => {
    const registry = new DiscoveryRegistry(10_000);
    const changes = collect(registry);
    registry.online('s1', 'a', info());
    registry.online('s2', 'a', info());
    registry.online('s3', 'b', info());
    registry.flush();
    assert.equal(changes.length, 1);
    assert.deepEqual([...(changes[0]?.names ?? [])].sort(), ['a', 'b']);
    registry.flush();
    assert.equal(changes.length, 1);
    registry.dispose();
  });

  it('does not report an unchanged re-announcement, but does report a new description or meta', () => {
    const registry = new DiscoveryRegistry(10_000);
    const changes = collect(registry);
    registry.online('s1', 'a', info('x', { v: 1 }), 1000);
    registry.flush();
    registry.online('s1', 'a', info('x', { v: 1 }), 2000);
    registry.flush();
    assert.equal(changes.length, 1);
    assert.equal(registry.instance('a', 's1')?.firstSeen, 1000);
    assert.equal(registry.instance('a', 's1')?.lastSeen, 2000);
    registry.online('s1', 'a', info('y', { v: 1 }));
    registry.flush();
    registry.online('s1', 'a', info('y', { v: 2 }));
    registry.flush();
    assert.equal(changes.length, 3);
    registry.dispose();
  });

  it('keeps a name listed as offline after its last instance leaves', () => {
    const registry = new DiscoveryRegistry();
    registry.online('s1', 'lab/lamp', info());
    registry.online('s2', 'lab/lamp', info());
    assert.equal(registry.offline('s1', 'lab/lamp'), true);
    assert.equal(registry.get('lab/lamp')?.online, true);
    assert.deepEqual(registry.get('lab/lamp')?.instances.map((i) => i.serverId), ['s2']);
    assert.equal(registry.offline('s2', 'lab/lamp'), true);
    const server = registry.get('lab/lamp');
    assert.equal(server?.online, false);
    assert.deepEqual(server?.instances, []);
    assert.equal(registry.size, 1);
    assert.equal(registry.onlineCount, 0);
    assert.deepEqual(registry.servers().map((s) => [s.name, s.online]), [['lab/lamp', false]]);
    // Offline twice, or offline for an unknown instance/name, changes nothing.
    assert.equal(registry.offline('s2', 'lab/lamp'), false);
    assert.equal(registry.offline('s9', 'nope'), false);
    registry.forgetOffline();
    assert.equal(registry.get('lab/lamp'), undefined);
    assert.equal(registry.size, 0);
    registry.dispose();
  });

  it('keeps the same server-id under two names apart', () => {
    const registry = new DiscoveryRegistry();
    registry.online('s1', 'a', info());
    registry.online('s1', 'b', info());
    registry.offline('s1', 'a');
    assert.equal(registry.get('a')?.online, false);
    assert.equal(registry.get('b')?.online, true);
    registry.dispose();
  });

  it('sweeps instances whose presence did not come back after a resync, and keeps confirmed ones', () => {
    const registry = new DiscoveryRegistry();
    registry.online('s1', 'fleet/a/b', info());
    registry.online('s2', 'fleet/a/b', info());
    registry.online('s3', 'solo', info());
    registry.beginResync();
    registry.online('s2', 'fleet/a/b', info());
    registry.online('s4', 'new/one', info());
    const gone = registry.endResync();
    assert.deepEqual(
      gone.sort((x, y) => x.serverId.localeCompare(y.serverId)),
      [
        { serverId: 's1', serverName: 'fleet/a/b' },
        { serverId: 's3', serverName: 'solo' },
      ],
    );
    assert.deepEqual(registry.get('fleet/a/b')?.instances.map((i) => i.serverId), ['s2']);
    assert.equal(registry.get('solo')?.online, false);
    assert.equal(registry.get('new/one')?.online, true);
    // Outside a resync nothing is swept.
    assert.deepEqual(registry.endResync(), []);
    assert.equal(registry.onlineCount, 2);
    registry.dispose();
  });

  it('picks an instance from the online ones only', () => {
    const registry = new DiscoveryRegistry();
    assert.equal(registry.pickInstance('none'), undefined);
    registry.online('s1', 'n', info());
    registry.online('s2', 'n', info());
    registry.online('s3', 'n', info());
    assert.equal(registry.pickInstance('n', () => 0)?.serverId, 's1');
    assert.equal(registry.pickInstance('n', () => 0.5)?.serverId, 's2');
    assert.equal(registry.pickInstance('n', () => 0.9999)?.serverId, 's3');
    registry.offline('s2', 'n');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(registry.pickInstance('n')?.serverId ?? 'none');
    assert.deepEqual([...seen].sort(), ['s1', 's3']);
    registry.offline('s1', 'n');
    registry.offline('s3', 'n');
    assert.equal(registry.pickInstance('n'), undefined);
    registry.dispose();
  });

  it('clear() reports every name and empties the registry', () => {
    const registry = new DiscoveryRegistry(10_000);
    const changes = collect(registry);
    registry.online('s1', 'a', info());
    registry.online('s2', 'b', info());
    registry.flush();
    registry.clear();
    registry.flush();
    assert.equal(registry.size, 0);
    assert.deepEqual([...(changes[1]?.names ?? [])].sort(), ['a', 'b']);
    registry.dispose();
  });

  it('stops delivering after dispose', async () => {
    const registry = new DiscoveryRegistry(5);
    const changes = collect(registry);
    registry.online('s1', 'a', info());
    registry.dispose();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(changes.length, 0);
  });

  it('an unsubscribed listener hears nothing more', () => {
    const registry = new DiscoveryRegistry(10_000);
    const changes: RegistryChange[] = [];
    const off = registry.onDidChange((c) => changes.push(c));
    registry.online('s1', 'a', info());
    registry.flush();
    off();
    registry.online('s2', 'a', info());
    registry.flush();
    assert.equal(changes.length, 1);
    registry.dispose();
  });
});
