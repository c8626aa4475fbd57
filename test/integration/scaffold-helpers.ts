// Shared by the scaffold tests: run a generated device as its own process, and judge it with the built
// `mqtt-mcp check --crash-test --json`, where the "crash" is a SIGKILL of the device process.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runConformance, startListening, type ConformanceReport } from '../../src/core/conformance/index.js';
import { freshSubscriberView } from '../../src/core/conformance/probe.js';
import { loadDeviceModel, type DeviceModel } from '../../src/core/device/index.js';
import { params } from '../../src/core/scaffold/plan.js';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
const EXAMPLES = join(ROOT, 'examples', 'devices');

export interface ExampleModel {
  file: string;
  /** Folder name for its scaffold. */
  slug: string;
  model: DeviceModel;
}

export async function exampleModels(): Promise<ExampleModel[]> {
  const files = readdirSync(EXAMPLES).filter((f) => /\.device\.(json|ya?ml)$/.test(f)).sort();
  return Promise.all(files.map(async (file) => ({ file: join(EXAMPLES, file), slug: file.replace(/\.device\..*$/, ''), model: await loadDeviceModel({ path: join(EXAMPLES, file) }) })));
}

/** `npm test` builds first; a lone run of this file builds the CLI itself. */
export function ensureCliBuilt(): void {
  if (spawnSync(process.execPath, [CLI, 'scaffold', '--help']).status === 0) return;
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (brokers of this process keep working meanwhile). */
export function run(command: string, args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 300_000, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

export interface DeviceProcess {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts a generated device and resolves once it prints that it is online. */
export function startDevice(command: string, args: string[], cwd: string): Promise<DeviceProcess> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const device: DeviceProcess = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (/^online /m.test(output)) resolve(device);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code, signal) => reject(new Error(`device exited (${code ?? signal}) before it was online:\n${output}`)));
  });
}

/** A tool the checker can call with no arguments: read-only ones first, never one that is not always listed. */
export function toolToCall(model: DeviceModel): string | undefined {
  const callable = model.functions.filter((f) => !f.availableWhen && !f.latencyMs && params(f).every((p) => !p.required) && !f.errors?.length && !f.failureRate);
  return (callable.find((f) => f.annotations?.readOnlyHint) ?? callable[0])?.name;
}

/**
 * `mqtt-mcp check --crash-test --json`: when the checker asks for the device to be unplugged, the device
 * process is SIGKILLed, a real crash (no DISCONNECT, the kernel closes the socket, the broker sends the will).
 */
export async function checkWithCrash(brokerUrl: string, serverName: string, serverId: string, device: DeviceProcess, call?: string): Promise<ConformanceReport> {
  const args = [CLI, 'check', '--broker', brokerUrl, '--server', serverName, '--instance', serverId, '--crash-test', '--crash-timeout', '20000', '--json'];
  if (call) args.push('--call', call);
  const checker = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  checker.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  checker.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    if (stderr.includes('Crash test:') && device.child.exitCode === null && device.child.signalCode === null) device.child.kill('SIGKILL');
  });
  const code = await new Promise<number | null>((resolve) => checker.once('exit', resolve));
  assert.ok(stdout.trim().startsWith('{'), `check printed no JSON report (exit ${code}):\n${stderr}`);
  const report = JSON.parse(stdout) as ConformanceReport;
  assert.equal(device.child.signalCode, 'SIGKILL', `the crash test did not kill the device:\n${stderr}`);
  return report;
}

/** No check failed, the will was really tested, and the exit code agrees. */
export function assertConformant(report: ConformanceReport, deviceOutput: string): void {
  const failed = report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.id}: ${r.observed}`);
  assert.deepEqual(failed, [], `conformance failures:\n${failed.join('\n')}\n--- device output ---\n${deviceOutput}`);
  const byId = new Map(report.results.map((r) => [r.id, r]));
  for (const id of ['presence.retained', 'initialize.subscribed-before-reply', 'operation.ping', 'operation.unknown-method', 'traffic.user-properties', 'teardown.deinitialize', 'teardown.will']) {
    assert.equal(byId.get(id)?.verdict, 'pass', `${id} did not pass: ${byId.get(id)?.observed}`);
  }
}

/**
 * A clean stop (SIGTERM, like Ctrl+C or a service manager): the device must clear its retained presence before
 * DISCONNECT and exit 0. Returns what a fresh subscriber then finds retained on its presence topic.
 */
export async function stopCleanly(brokerUrl: string, serverName: string, serverId: string, device: DeviceProcess): Promise<{ exitCode: number | null; retained: number }> {
  const topic = `$mcp-server/presence/${serverId}/${serverName}`;
  const before = (await freshSubscriberView({ url: brokerUrl }, topic)).filter((o) => o.retain && o.payload.length > 0).length;
  assert.equal(before, 1, 'the device was not online before the clean stop');
  const exited = new Promise<number | null>((resolve) => device.child.once('exit', (code) => resolve(code)));
  device.child.kill('SIGTERM');
  const exitCode = await exited;
  const retained = (await freshSubscriberView({ url: brokerUrl }, topic)).filter((o) => o.retain && o.payload.length > 0).length;
  return { exitCode, retained };
}

/**
 * The kitchen sink lists secret_tool only while secret_mode holds: switching it on through set_attribute (from
 * another client, the `mqtt-mcp call` CLI) must send tools/list_changed on the capability topic, which the
 * checker then judges (traffic.capability-topic, traffic.capability-advertised).
 */
export async function checkListChanged(brokerUrl: string, serverName: string, serverId: string): Promise<ConformanceReport> {
  return runConformance({
    broker: { url: brokerUrl },
    serverName,
    serverId,
    latencySamples: 3,
    triggerListChanged: async () => {
      const call = await run(process.execPath, [CLI, 'call', '--broker', brokerUrl, '--server', serverName, '--tool', 'set_attribute', '--args', '{"name":"secret_mode","value":true}']);
      assert.equal(call.code, 0, call.stdout + call.stderr);
    },
  });
}

/**
 * Packet mode: every model's device connects to a checker that is its broker (in-process, any free port), so
 * its own CONNECT, SUBSCRIBE and PUBLISH packets are judged too. `start` launches one device at a URL; all
 * models run at once, and the failures of every model are reported together.
 */
export async function assertPacketConformant(models: ExampleModel[], prefix: string, start: (m: ExampleModel, url: string, serverId: string) => Promise<DeviceProcess>): Promise<void> {
  const listening = await startListening({ host: '127.0.0.1', port: 0 });
  try {
    const problems = await Promise.all(models.map(async (m) => {
      const serverId = `${prefix}-${m.slug}-${randomBytes(3).toString('hex')}`;
      const serverName = m.model.serverName.replaceAll('{n}', '1').replaceAll('{id}', serverId);
      const device = await start(m, listening.localUrl, serverId);
      try {
        const found = await listening.waitForDevice({ serverName, timeoutMs: 20_000 });
        assert.equal(found.serverId, serverId, m.slug);
        const tool = toolToCall(m.model);
        const report = await runConformance({ broker: { url: listening.localUrl }, serverName, serverId, packets: listening.capture, call: tool ? { tool } : undefined, latencySamples: 5 });
        return packetProblems(report).map((p) => `${m.slug}: ${p}`);
      } catch (error) {
        return [`${m.slug}: ${(error as Error).message}\n${device.output()}`];
      } finally {
        await device.stop();
      }
    }));
    const all = problems.flat();
    assert.deepEqual(all, [], all.join('\n'));
  } finally {
    await listening.stop();
  }
}

/**
 * No failure, no warning (the latency probe aside: a loaded machine is not the device's fault), and the checks
 * only packets can make really ran (not skipped for want of a CONNECT).
 */
function packetProblems(report: ConformanceReport): string[] {
  const flagged = report.results.filter((r) => r.verdict === 'fail' || (r.verdict === 'warn' && r.id !== 'latency.ping-rtt'));
  const out = flagged.map((r) => `${r.verdict} ${r.id}: ${r.observed}`);
  const byId = new Map(report.results.map((r) => [r.id, r]));
  for (const id of ['connection.mqtt5', 'connection.connect-properties', 'connection.client-id', 'traffic.qos', 'traffic.topics', 'traffic.no-echo', 'traffic.user-properties', 'initialize.subscribed-before-reply']) {
    if (byId.get(id)?.verdict !== 'pass') out.push(`${id} did not pass: ${byId.get(id)?.verdict} ${byId.get(id)?.observed}`);
  }
  for (const id of ['teardown.will', 'teardown.session-expiry']) {
    const r = byId.get(id);
    if (r?.verdict !== 'pass' || !r.observed.startsWith('from CONNECT:')) out.push(`${id} not judged from CONNECT: ${r?.verdict} ${r?.observed}`);
  }
  if (!/SUBSCRIBE [\d.]+ ms before the reply/.test(byId.get('initialize.subscribed-before-reply')?.observed ?? '')) out.push('SUBSCRIBE order not read from the packets');
  return out;
}
