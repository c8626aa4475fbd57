// `mqtt-mcp check`: the conformance checker on the command line. Exits 0 only when no check fails, so a
// device's CI can gate on it; --junit and --markdown write reports CI systems can show.
import { writeFileSync } from 'node:fs';
import {
  GROUP_TITLES,
  groupResults,
  reportToJunit,
  reportToMarkdown,
  runConformance,
  startListening,
  takeoverCrashTest,
  VERDICT_SYMBOL,
  type CheckResult,
  type ConformanceReport,
  type CrashTest,
  type ListeningChecker,
} from '../../core/conformance/index.js';
import type { BrokerConfig } from '../../core/mqtt/options.js';
import { brokerConfig, brokerOptions, COMMON_HELP, CommandError, intOption, parse, requireString, UsageError, jsonObjectOption } from '../args.js';
import { printJson, terminalSafe } from '../output.js';

export const checkHelp = `mqtt-mcp check --broker URL --server NAME [--instance ID] [--call TOOL [--args JSON]] [--crash-test[=manual|takeover]] [--json] [--junit FILE] [--markdown FILE]
mqtt-mcp check --listen [PORT] [--host ADDR] [--server NAME] [...]
  Checks that a device's MCP server follows the MCP-over-MQTT spec: presence, initialize, requests,
  topics, user properties, de-initialize and latency. Each check passes, fails (a MUST is broken), warns
  (a SHOULD, or a MUST so commonly broken that clients must tolerate it) or is skipped (not observable in
  this run, with the reason). Exits 1 when any check fails.
  --instance ID        server-id to test (default: the first instance with retained presence)
  --call TOOL          also call this tool and check its result (with --args JSON, default {})
  --crash-test         check that the will clears presence. manual (the default): you will be asked to
                       unplug or reset the device. takeover: the checker connects with the device's client
                       id, so the broker drops the device and publishes its will (THIS DISCONNECTS THE DEVICE)
  --crash-timeout MS   how long to wait for the will (default 90000)
  --listen [PORT]      packet mode: start a broker here (default port 1883, 0 = any free port), print the URL
                       to point the device at, wait for its presence, and judge its own packets too (CONNECT,
                       will, session expiry, SUBSCRIBE order and No Local, every PUBLISH's properties, QoS)
  --host ADDR          interface for --listen (default 0.0.0.0, so devices on the network can connect)
  --listen-timeout MS  how long --listen waits for a device (default 600000)
  --suggest-name NAME  with --listen: suggest this MCP-SERVER-NAME to the device in CONNACK and check it is used
  --junit FILE         write a JUnit XML report (each check a testcase)
  --markdown FILE      write a Markdown report
${COMMON_HELP}`;

/** `--listen` and `--crash-test` take an optional value, which parseArgs cannot express: give them one. */
export function normalizeOptionalValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg === '--listen') out.push(next !== undefined && /^\d+$/.test(next) ? `--listen=${argv[++i]}` : '--listen=1883');
    else if (arg === '--crash-test') out.push(next === 'manual' || next === 'takeover' ? `--crash-test=${argv[++i]}` : '--crash-test=manual');
    else out.push(arg);
  }
  return out;
}

export async function check(argv: string[]): Promise<number> {
  const { values } = parse(normalizeOptionalValues(argv), {
    ...brokerOptions,
    server: { type: 'string', short: 's' },
    instance: { type: 'string', short: 'i' },
    call: { type: 'string' },
    args: { type: 'string', short: 'a' },
    'crash-test': { type: 'string' },
    'crash-timeout': { type: 'string' },
    listen: { type: 'string' },
    host: { type: 'string' },
    'listen-timeout': { type: 'string' },
    'suggest-name': { type: 'string' },
    junit: { type: 'string' },
    markdown: { type: 'string' },
  });
  const listen = values.listen !== undefined ? intOption(values, 'listen', 1883, 0, 65535) : undefined;
  if (listen === undefined) {
    for (const name of ['host', 'listen-timeout', 'suggest-name']) if (values[name] !== undefined) throw new UsageError(`--${name} needs --listen`);
  } else if (values.broker !== undefined) throw new UsageError('--listen runs its own broker: leave out --broker');
  const serverName = listen === undefined ? requireString(values, 'server', 'home/thermostat/1') : (values.server as string | undefined);
  if (values.args !== undefined && values.call === undefined) throw new UsageError('--args needs --call TOOL');
  const call = typeof values.call === 'string' ? { tool: values.call, args: jsonObjectOption(values.args as string | undefined, 'args') } : undefined;
  const willMs = intOption(values, 'crash-timeout', 90_000, 1000, 3_600_000);
  const crashMode = values['crash-test'] as string | undefined;
  if (crashMode !== undefined && crashMode !== 'manual' && crashMode !== 'takeover') throw new UsageError('--crash-test is manual or takeover');

  const aborter = new AbortController();
  const onSigint = (): void => aborter.abort(new CommandError('interrupted'));
  process.once('SIGINT', onSigint);
  let listening: ListeningChecker | undefined;
  try {
    let broker: BrokerConfig;
    let target = { serverName, serverId: values.instance as string | undefined };
    if (listen !== undefined) {
      listening = await startListening({ host: values.host as string | undefined, port: listen, suggestServerName: values['suggest-name'] as string | undefined }).catch((e: Error) => {
        throw new CommandError(`cannot listen on port ${listen}: ${e.message}`);
      });
      broker = { url: listening.localUrl };
      process.stderr.write(`Packet mode: broker listening on ${listening.localUrl}\nPoint the device at ${listening.deviceUrls.join(' or ')} and start it; waiting for its presence${serverName ? ` (${serverName})` : ''}…\n`);
      const found = await listening.waitForDevice({ serverName, signal: aborter.signal, timeoutMs: intOption(values, 'listen-timeout', 600_000, 1000) });
      process.stderr.write(`Device found: ${found.serverName} (server-id ${found.serverId}); checking…\n`);
      target = { serverName: found.serverName, serverId: target.serverId ?? found.serverId };
    } else {
      broker = brokerConfig(values);
    }
    const crashTest = crashMode === 'takeover' ? takeoverCrashTest(broker) : crashMode === 'manual' ? manualCrashTest(willMs) : undefined;
    if (crashMode === 'takeover')
      process.stderr.write('Crash test (takeover): at the end the checker connects with the device\'s client id; the broker then DISCONNECTS THE DEVICE and publishes its will. The device has to reconnect by itself.\n');
    const report = await runConformance({
      broker,
      serverName: target.serverName as string,
      serverId: target.serverId,
      call,
      crashTest,
      packets: listening?.capture,
      signal: aborter.signal,
      timeouts: { willMs },
    });
    if (typeof values.junit === 'string') writeReport(values.junit, reportToJunit(report));
    if (typeof values.markdown === 'string') writeReport(values.markdown, reportToMarkdown(report));
    if (values.json) printJson(report);
    else process.stdout.write(terminalSafe(formatReport(report)));
    return report.summary.fail === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof CommandError || e instanceof UsageError) throw e;
    throw new CommandError((e as Error).message);
  } finally {
    process.off('SIGINT', onSigint);
    await listening?.stop();
  }
}

function manualCrashTest(willMs: number): CrashTest {
  return {
    async trigger(): Promise<void> {
      process.stderr.write(`\nCrash test: unplug or reset the device now (no clean shutdown). Waiting up to ${Math.round(willMs / 1000)} s for its will…\n`);
    },
  };
}

function writeReport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new CommandError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export function formatReport(report: ConformanceReport): string {
  const out = [`MCP over MQTT conformance: ${report.server} (instance ${report.instance ?? 'none found'}) on ${report.broker}`];
  for (const [group, results] of groupResults(report.results)) {
    out.push('', GROUP_TITLES[group]);
    for (const r of results) out.push(...formatResult(r));
  }
  const { pass, warn, fail, skip } = report.summary;
  out.push('', `${fail === 0 ? 'PASSED' : 'FAILED'}: ${pass} passed, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed, ${skip} skipped (${(report.durationMs / 1000).toFixed(1)} s)`);
  return out.join('\n') + '\n';
}

function formatResult(r: CheckResult): string[] {
  const head = `  ${VERDICT_SYMBOL[r.verdict]} ${r.title}  [${r.id}]`;
  if (r.verdict === 'pass') return [`${head}  ${r.observed}`];
  if (r.verdict === 'skip') return [`${head}  (${r.observed})`];
  return [head, `      expected: ${r.expected}`, `      observed: ${r.observed}`, `      verdict:  ${r.basis}`, `      spec:     ${r.section}  ${r.specUrl}`];
}
