// The CLI against hostile or broken devices (issue 14 D1, D2, D6, D9): output complete on a pipe, device text
// escaped on terminals and exact in --json, --timeout bounding every step, stale instances skipped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { connectRawMqtt, endAsync, publishAsync } from '../fixtures/raw-device.js';
import { deepJson, startScriptedDevice, type ScriptedDevice } from './scripted-device.js';
import { recordFigures } from './figures.js';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
const uid = (): string => randomBytes(4).toString('hex');
const NASTY = 'A\x1b[31mred\x07bell\rover\x9b2Jcsi\u202eesrever';

/** Runs the CLI with stdout and stderr on pipes (not a file or a TTY) and reads them to the end. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started }));
  });
}

before(() => {
  if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0);
});

for (const kind of brokerKinds()) {
  describe(`mqtt-mcp CLI against hostile devices on ${kind}`, () => {
    let broker: TestBroker;
    let retained: MqttClient;
    let nasty: ScriptedDevice;
    let big: ScriptedDevice;
    const prefix = `cli${uid()}`;
    const MANY = 3000;
    const MEGABYTE = 'x'.repeat(1024 * 1024);

    before(async () => {
      broker = await startBroker(kind);
      retained = await connectRawMqtt(broker.url);
      // 3,000 servers' retained presence, as a large fleet leaves it on the broker.
      await Promise.all(
        Array.from({ length: MANY }, (_, i) =>
          publishAsync(retained, `$mcp-server/presence/id${i}/${prefix}/fleet/${i}`, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: `${prefix}/fleet/${i}`, description: `fleet member ${i} with a description of some length`, meta: { i } } }), { retain: true }),
        ),
      );
      nasty = await startScriptedDevice({
        url: broker.url,
        serverId: `nasty-${uid()}`,
        serverName: `${prefix}/nasty`,
        description: NASTY,
        tools: [{ name: 'say', description: NASTY }],
        onCall: (c) =>
          c.tool === 'deep'
            ? `{"jsonrpc":"2.0","id":${JSON.stringify(c.id)},"result":{"content":[],"structuredContent":{"v":${deepJson(20_000)}}}}`
            : { id: c.id, result: { content: [{ type: 'text', text: NASTY }] } },
      });
      big = await startScriptedDevice({ url: broker.url, serverId: `big-${uid()}`, serverName: `${prefix}/big`, onCall: (c) => ({ id: c.id, result: { content: [{ type: 'text', text: MEGABYTE }] } }) });
    });
    after(async () => {
      await nasty.stop();
      await big.stop();
      await endAsync(retained);
      await broker.stop();
    });

    it('prints all 3,000 servers of discover --json and discover through a pipe (D1)', async () => {
      const json = await runCli(['discover', '--broker', broker.url, '--filter', `${prefix}/fleet/#`, '--json']);
      assert.equal(json.code, 0, json.stderr);
      const servers = JSON.parse(json.stdout) as { name: string }[];
      assert.equal(servers.length, MANY);
      const text = await runCli(['discover', '--broker', broker.url, '--filter', `${prefix}/fleet/#`]);
      assert.equal(text.stdout.trimEnd().split('\n').length, MANY);
      recordFigures(`cli-pipe-${kind}`, { servers: servers.length, jsonBytes: json.stdout.length, textLines: MANY, ms: json.ms });
    });

    it('delivers a 1 MB call result complete through a pipe (D1)', async () => {
      const json = await runCli(['call', '--broker', broker.url, '--server', `${prefix}/big`, '--tool', 'go', '--json']);
      assert.equal(json.code, 0, json.stderr);
      assert.equal((JSON.parse(json.stdout) as { content: { text: string }[] }).content[0]?.text.length, MEGABYTE.length);
      const text = await runCli(['call', '--broker', broker.url, '--server', `${prefix}/big`, '--tool', 'go']);
      assert.equal(text.stdout, `${MEGABYTE}\n`);
    });

    it('escapes control and bidi characters in discover, list and call text output, and keeps --json exact (D9)', async () => {
      const outputs = [
        await runCli(['discover', '--broker', broker.url, '--filter', `${prefix}/nasty`]),
        await runCli(['list', '--broker', broker.url, '--server', `${prefix}/nasty`]),
        await runCli(['call', '--broker', broker.url, '--server', `${prefix}/nasty`, '--tool', 'say']),
      ];
      for (const o of outputs) {
        assert.equal(o.code, 0, o.stderr);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(o.stdout, /[\x1b\x07\r\x9b\u202e]/, o.stdout);
        assert.match(o.stdout, /A\\x1b\[31mred\\x07bell\\x0dover\\x9b2Jcsi\\u202eesrever/);
      }
      const json = await runCli(['call', '--broker', broker.url, '--server', `${prefix}/nasty`, '--tool', 'say', '--json']);
      assert.equal((JSON.parse(json.stdout) as { content: { text: string }[] }).content[0]?.text, NASTY);
    });

    it('call --json on deep structuredContent fails with a clear error and exit code 1 (D2)', async () => {
      const r = await runCli(['call', '--broker', broker.url, '--server', `${prefix}/nasty`, '--tool', 'deep', '--json']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /answer to tools\/call is unusable: nested deeper than 128 levels/);
      assert.doesNotMatch(r.stderr, /Maximum call stack/);
    });

    it('--timeout bounds initialize for call and list against a device that never answers it (D6)', async () => {
      // A broker of its own: the 3,000 retained fleet servers would make the presence snapshot the step that runs out.
      const own = await startBroker(kind);
      const mute = await startScriptedDevice({ url: own.url, serverId: `mute-${uid()}`, serverName: `${prefix}/mute`, answerInitialize: false });
      try {
        const r = await runCli(['call', '--broker', own.url, '--server', `${prefix}/mute`, '--tool', 'go', '--timeout', '3000']);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /initialize with .*\/mute .* failed: no answer from .* within \d+ ms \(timed out here\)|timed out after 3000 ms \(--timeout\) while initializing/);
        // Before: 31.7 s (the 30 s initialize timeout ignored --timeout). Beyond the 3 s bound is process start-up
        // on a loaded machine; the bound stays well under the old 30 s.
        assert.ok(r.ms < 25_000, `took ${r.ms} ms`);
        recordFigures(`cli-timeout-${kind}`, { timeoutMs: 3000, tookMs: r.ms });
        // `list` takes the same bound (it had none: the 30 s initialize timeout applied).
        const listed = await runCli(['list', '--broker', own.url, '--server', `${prefix}/mute`, '--timeout', '3000', '--json']);
        assert.equal(listed.code, 1, listed.stderr);
        assert.match(listed.stderr, /initialize with .*\/mute .* failed: no answer from .* within \d+ ms \(timed out here\)|timed out after 3000 ms \(--timeout\) while initializing/);
        assert.ok(listed.ms < 25_000, `list took ${listed.ms} ms`);
        assert.match((JSON.parse(listed.stdout) as { error: { message: string } }).error.message, /mute/);
      } finally {
        await mute.stop();
        await own.stop();
      }
    });

    it('falls back from a stale instance to a live one of the same name (D6)', async () => {
      const name = `${prefix}/pair`;
      const live = await startScriptedDevice({ url: broker.url, serverId: `live-${uid()}`, serverName: name, onCall: (c) => ({ id: c.id, result: { content: [{ type: 'text', text: 'live' }] } }) });
      // A stale instance: its retained presence stayed behind, nobody serves it.
      await publishAsync(retained, `$mcp-server/presence/stale-${uid()}/${name}`, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/server/online', params: { server_name: name, description: 'stale', meta: {} } }), { retain: true });
      try {
        const runs = [];
        for (let i = 0; i < 6; i++) runs.push(await runCli(['call', '--broker', broker.url, '--server', name, '--tool', 'go', '--timeout', '10000']));
        for (const r of runs) {
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, 'live\n');
        }
        recordFigures(`cli-stale-instance-${kind}`, { calls: runs.length, succeeded: runs.filter((r) => r.code === 0).length, worstMs: Math.max(...runs.map((r) => r.ms)) });
      } finally {
        await live.stop();
      }
    });
  });
}
