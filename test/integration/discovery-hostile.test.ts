// One hostile presence must not break discovery for all (issue 14 D2): a retained presence whose meta nests
// 20,000 levels, in the common shape (parsed when first read) and in another key order (parsed at once),
// beside ordinary devices. On both brokers: McpMqttClient reports the two per item and lists the rest;
// `discover --json` exits 0 with every server and the error on the deep ones.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { NewEvent } from '../../src/core/events/event-log.js';

const root = join(__dirname, '../..');
const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

function discoverJson(url: string, filter: string): Promise<{ code: number | null; servers: { name: string; instances: { presenceError?: string; description: string }[] }[]; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'discover-hostile-'));
  const outPath = join(dir, 'out.json');
  const out = openSync(outPath, 'w');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'discover', '--broker', url, '--filter', filter, '--json'], { cwd: root, stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('exit', (code) => {
      closeSync(out);
      const text = readFileSync(outPath, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, servers: text ? JSON.parse(text) : [], stderr });
    });
  });
}

for (const kind of brokerKinds()) {
  describe(`hostile presence does not break discovery (${kind})`, () => {
    let broker: TestBroker;
    const prefix = `hostile-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      broker = await startBroker(kind);
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
      const common = `{"jsonrpc":"2.0","method":"notifications/server/online","params":{"server_name":"${prefix}/deep-common","description":"deep","meta":${deep(20_000)}}}`;
      const other = `{"params":{"description":"deep","meta":${deep(20_000)}},"method":"notifications/server/online","jsonrpc":"2.0"}`;
      await pub.publishAsync(`$mcp-server/presence/d1/${prefix}/deep-common`, common, { qos: 1, retain: true });
      await pub.publishAsync(`$mcp-server/presence/d2/${prefix}/deep-other`, other, { qos: 1, retain: true });
      for (let i = 0; i < 3; i++) {
        const name = `${prefix}/ok-${i}`;
        await pub.publishAsync(`$mcp-server/presence/ok${i}/${name}`, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: name, description: `fine ${i}` } }), { qos: 1, retain: true });
      }
      await pub.endAsync();
    });
    after(() => broker?.stop());

    it('McpMqttClient lists the good servers and reports each deep one as its own error', async () => {
      const events: NewEvent[] = [];
      const client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${prefix}/#`], events: (e) => events.push(e) });
      try {
        await client.connect();
        const names = client.registry.servers().map((s) => s.name);
        for (let i = 0; i < 3; i++) assert.ok(names.includes(`${prefix}/ok-${i}`));
        assert.equal(client.registry.get(`${prefix}/ok-1`)?.instances[0]?.description, 'fine 1');
        // The common-shape one is listed, and shows its problem when read; the other was refused at once.
        const deepCommon = client.registry.get(`${prefix}/deep-common`)?.instances[0];
        assert.match(deepCommon?.presenceProblem ?? '', /deeper than 64 levels/);
        assert.equal(client.registry.get(`${prefix}/deep-other`), undefined);
        const errors = events.filter((e) => e.kind === 'error' && /deeper than 64 levels/.test(e.summary)).map((e) => e.serverName);
        assert.deepEqual(errors.sort(), [`${prefix}/deep-common`, `${prefix}/deep-other`]);
        assert.doesNotThrow(() => JSON.stringify(client.registry.servers()));
      } finally {
        await client.close();
      }
    });

    it('`discover --json` exits 0, lists every server, and gives the deep one its error', async () => {
      const result = await discoverJson(broker.url, `${prefix}/#`);
      assert.equal(result.code, 0, result.stderr);
      const byName = new Map(result.servers.map((s) => [s.name, s]));
      for (let i = 0; i < 3; i++) assert.equal(byName.get(`${prefix}/ok-${i}`)?.instances[0]?.description, `fine ${i}`);
      assert.match(byName.get(`${prefix}/deep-common`)?.instances[0]?.presenceError ?? '', /deeper than 64 levels/);
    });
  });
}
