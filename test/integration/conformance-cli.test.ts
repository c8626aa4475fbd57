// `mqtt-mcp check` as a device's CI would run it: the built CLI in its own process, exit code 0 only when
// nothing fails, and a JUnit file CI systems can read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS, type ConformanceReport } from '../../src/core/conformance/index.js';
import { startRawDevice, type RawDevice, type RawDeviceDeviations } from '../fixtures/raw-device.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { xmlProblems } from '../unit/conformance-xml.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, whose event loop also runs the device under test. */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(() => {
  // `npm test` builds first; building again here would race other test files that run dist/cli.js.
  if (spawnSync(process.execPath, [CLI, 'check', '--help']).status === 0) return;
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
});

for (const kind of brokerKinds()) {
  // Each test checks a device of its own: they run side by side, mostly waiting out the checker's silence windows.
  describe(`mqtt-mcp check (${kind})`, { concurrency: true }, () => {
    let broker: TestBroker;
    let dir: string;
    const devices: RawDevice[] = [];

    before(async () => {
      broker = await startBroker(kind);
      dir = mkdtempSync(join(tmpdir(), 'conformance-cli-'));
    });
    after(async () => {
      for (const d of devices) await d.stop().catch(() => undefined);
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function device(deviations: RawDeviceDeviations = {}): Promise<RawDevice> {
      const d = await startRawDevice({ url: broker.url, serverId: `cli-${randomUUID().slice(0, 8)}`, serverName: `conformance/cli/${randomUUID().slice(0, 8)}`, deviations });
      devices.push(d);
      return d;
    }

    it('exits 0 for a spec-following device and writes well-formed JUnit XML', async () => {
      const d = await device();
      const junit = join(dir, 'good.xml');
      const run = await cli(['check', '--broker', broker.url, '--server', d.serverName, '--call', 'add', '--args', '{"a":1,"b":2}', '--junit', junit]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /^MCP over MQTT conformance: /);
      assert.match(run.stdout, /✔ Presence is retained/);
      assert.match(run.stdout, /^PASSED: /m);
      const xml = readFileSync(junit, 'utf8');
      assert.deepEqual(xmlProblems(xml), []);
      assert.equal(xml.match(/<testcase /g)?.length, CHECKS.length);
      assert.ok(!xml.includes('<failure'));
    });

    it('exits 1 for a broken device, names the failing check, and reports it as a JUnit failure', async () => {
      const d = await device({ wrongUnknownMethodCode: true });
      const junit = join(dir, 'broken.xml');
      const run = await cli(['check', '--broker', broker.url, '--server', d.serverName, '--instance', d.serverId, '--junit', junit]);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /✖ Unknown method gets -32601 {2}\[operation\.unknown-method\]/);
      assert.match(run.stdout, /observed: error -32600/);
      assert.match(run.stdout, /^FAILED: .* 1 failed/m);
      const xml = readFileSync(junit, 'utf8');
      assert.deepEqual(xmlProblems(xml), []);
      assert.equal(xml.match(/<failure /g)?.length, 1);
      assert.match(xml, /<testcase [^>]*name="operation\.unknown-method: [^"]*" time="0">\s*<failure /);
    });

    it('prints the report as JSON with --json', async () => {
      const d = await device({ pongTrue: true });
      const run = await cli(['check', '--broker', broker.url, '--server', d.serverName, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as ConformanceReport;
      assert.equal(report.instance, d.serverId);
      assert.equal(report.results.find((r) => r.id === 'operation.ping')?.verdict, 'warn');
    });

    it('exits 2 on a usage error and 1 when the broker cannot be reached', async () => {
      assert.equal((await cli(['check', '--broker', broker.url])).code, 2);
      const unreachable = await cli(['check', '--broker', 'mqtt://127.0.0.1:1', '--server', 'a/b']);
      assert.equal(unreachable.code, 1);
      assert.match(unreachable.stderr, /^mqtt-mcp check: /);
    });
  });
}

/** `check --listen 0` in its own process: resolves with the URL it prints, and later with its exit and output. */
function listeningCli(args: string[]): { url: Promise<string>; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, 'check', '--listen', '0', '--host', '127.0.0.1', '--listen-timeout', '30000', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  let announce: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (announce = resolve));
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    stderr += t;
    const m = /broker listening on (mqtt:\/\/\S+)/.exec(stderr);
    if (m?.[1]) announce(m[1]);
  });
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  void done.then((run) => announce(`(exited before listening: ${run.stderr})`));
  return { url, done };
}

describe('mqtt-mcp check --listen (packet mode)', () => {
  const devices: RawDevice[] = [];
  after(async () => {
    for (const d of devices) await d.stop().catch(() => undefined);
  });

  async function judge(deviations: RawDeviceDeviations): Promise<{ run: Run; report: ConformanceReport }> {
    const cliRun = listeningCli(['--json']);
    const url = await cliRun.url;
    assert.match(url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    devices.push(await startRawDevice({ url, serverId: `listen-${randomUUID().slice(0, 8)}`, serverName: `conformance/listen/${randomUUID().slice(0, 8)}`, deviations }));
    const run = await cliRun.done;
    return { run, report: JSON.parse(run.stdout) as ConformanceReport };
  }
  const observed = (report: ConformanceReport, id: string): string => report.results.find((r) => r.id === id)?.observed ?? '';

  it('tells the user where to point the device, and passes a correct one from its packets', async () => {
    const { run, report } = await judge({});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Point the device at mqtt:\/\/127\.0\.0\.1:\d+/);
    assert.match(observed(report, 'teardown.will'), /will RETAIN=1/);
    assert.equal(observed(report, 'initialize.subscribed-before-reply').match(/before the reply/g)?.length, 3);
  });

  it('reports a will without RETAIN and a SUBSCRIBE after the reply, from the packets', async () => {
    const { run, report } = await judge({ willNotRetained: true, replyBeforeSubscribe: true });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(report.summary.fail, 2, JSON.stringify(report.results.filter((r) => r.verdict === 'fail')));
    assert.match(observed(report, 'teardown.will'), /will RETAIN=0/);
    assert.match(observed(report, 'initialize.subscribed-before-reply'), /SUBSCRIBE [\d.]+ ms after the reply/);
  });

  it('refuses --listen together with --broker', async () => {
    const run = await cli(['check', '--listen', '--broker', 'mqtt://127.0.0.1:1']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--listen runs its own broker/);
  });
});
