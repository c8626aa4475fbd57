// The report as Markdown: a summary line, then one table per check group, for CI job summaries and issues.
import { GROUP_TITLES } from './catalogue.js';
import type { CheckGroup, CheckResult, ConformanceReport, Verdict } from './types.js';

export const VERDICT_SYMBOL: Record<Verdict, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '–' };

export function reportToMarkdown(report: ConformanceReport): string {
  const { summary } = report;
  const lines = [
    `# MCP over MQTT conformance: ${escapeInline(report.server)}`,
    '',
    `Instance \`${report.instance ?? 'none found'}\` on \`${report.broker}\`, ${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
    `**${summary.fail === 0 ? 'PASSED' : 'FAILED'}**: ${summary.pass} passed, ${summary.warn} warnings, ${summary.fail} failed, ${summary.skip} skipped.`,
  ];
  for (const [group, results] of groupResults(report.results)) {
    lines.push('', `## ${GROUP_TITLES[group]}`, '', '| | Check | Expected | Observed | Spec |', '|---|---|---|---|---|');
    for (const r of results) {
      lines.push(`| ${VERDICT_SYMBOL[r.verdict]} | **${escapeCell(r.title)}**<br>\`${r.id}\` | ${escapeCell(r.expected)} | ${escapeCell(r.observed)}${r.basis ? `<br>_${escapeCell(r.basis)}_` : ''} | [${escapeCell(r.section)}](${r.specUrl}) |`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Results in catalogue order, grouped; groups without results are left out. */
export function groupResults(results: readonly CheckResult[]): [CheckGroup, CheckResult[]][] {
  const groups = new Map<CheckGroup, CheckResult[]>();
  for (const r of results) {
    const list = groups.get(r.group) ?? [];
    list.push(r);
    groups.set(r.group, list);
  }
  return [...groups];
}

function escapeCell(text: string): string {
  return escapeInline(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function escapeInline(text: string): string {
  // Device-supplied text must not turn into markup (links, HTML) in a rendered report.
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
