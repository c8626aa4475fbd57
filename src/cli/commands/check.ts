// `mqtt-mcp check`: the conformance checker on the command line. Exits 0 only when no check fails, so a
// device's CI can gate on it; --junit and --markdown write reports CI systems can show.
import { writeFileSync } from 'node:fs';
import { GROUP_TITLES, groupResults, reportToJunit, reportToMarkdown, runConformance, VERDICT_SYMBOL, type CheckResult, type ConformanceReport } from '../../core/conformance/index.js';
import { brokerConfig, brokerOptions, COMMON_HELP, CommandError, intOption, parse, requireString, UsageError, jsonObjectOption } from '../args.js';
import { printJson, terminalSafe } from '../output.js';

export const checkHelp = `mqtt-mcp check --broker URL --server NAME [--instance ID] [--call TOOL [--args JSON]] [--crash-test] [--json] [--junit FILE] [--markdown FILE]
  Checks that a device's MCP server follows the MCP-over-MQTT spec: presence, initialize, requests,
  topics, user properties, de-initialize and latency. Each check passes, warns (a deviation clients
  should tolerate), fails (it breaks clients) or is skipped. Exits 1 when any check fails.
  --instance ID        server-id to test (default: the first instance with retained presence)
  --call TOOL          also call this tool and check its result (with --args JSON, default {})
  --crash-test         also check that the will clears presence: you will be asked to unplug or reset
                       the device, which then drops off the broker
  --crash-timeout MS   how long to wait for the will after asking (default 90000)
  --junit FILE         write a JUnit XML report (each check a testcase)
  --markdown FILE      write a Markdown report
${COMMON_HELP}`;

export async function check(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...brokerOptions,
    server: { type: 'string', short: 's' },
    instance: { type: 'string', short: 'i' },
    call: { type: 'string' },
    args: { type: 'string', short: 'a' },
    'crash-test': { type: 'boolean' },
    'crash-timeout': { type: 'string' },
    junit: { type: 'string' },
    markdown: { type: 'string' },
  });
  const serverName = requireString(values, 'server', 'home/thermostat/1');
  if (values.args !== undefined && values.call === undefined) throw new UsageError('--args needs --call TOOL');
  const call = typeof values.call === 'string' ? { tool: values.call, args: jsonObjectOption(values.args as string | undefined, 'args') } : undefined;
  const willMs = intOption(values, 'crash-timeout', 90_000, 1000, 3_600_000);
  const crashTest = values['crash-test']
    ? {
        async trigger(): Promise<void> {
          process.stderr.write(`\nCrash test: unplug or reset the device now (no clean shutdown). Waiting up to ${Math.round(willMs / 1000)} s for its will…\n`);
        },
      }
    : undefined;

  const broker = brokerConfig(values);
  let report: ConformanceReport;
  try {
    report = await runConformance({
      broker,
      serverName,
      serverId: values.instance as string | undefined,
      call,
      crashTest,
      timeouts: { willMs },
    });
  } catch (e) {
    throw new CommandError((e as Error).message);
  }
  if (typeof values.junit === 'string') writeReport(values.junit, reportToJunit(report));
  if (typeof values.markdown === 'string') writeReport(values.markdown, reportToMarkdown(report));
  if (values.json) printJson(report);
  else process.stdout.write(terminalSafe(formatReport(report)));
  return report.summary.fail === 0 ? 0 : 1;
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
