// The conformance report: a summary line, results grouped by check group as they arrive, and for anything
// that is not a pass, what was expected, what was observed, and a link to the rule. Text only: observed
// values come from the device and are never markup.
import { h, append, clear, icon } from '../shared/dom.js';
import { hostChannel } from '../shared/vscode-api.js';
import type { ReportFromWebview, ReportToWebview } from './protocol.js';
import type { CheckResult, ConformanceReport, Verdict } from '../../src/core/conformance/types.js';

const host = hostChannel<ReportToWebview, ReportFromWebview, { report?: ConformanceReport }>();
const app = document.getElementById('app') as HTMLElement;
const GROUPS: Record<string, string> = {
  presence: 'Discovery (presence)',
  initialize: 'Initialization',
  operation: 'Operation',
  traffic: 'Topics and properties',
  instances: 'Instances',
  teardown: 'Teardown',
  latency: 'Latency',
};
const ICONS: Record<Verdict, string> = { pass: 'pass', warn: 'warning', fail: 'error', skip: 'circle-slash' };

let results: CheckResult[] = [];
let header = { serverName: '', broker: '', state: 'idle' as 'idle' | 'running' | 'done' | 'failed', message: '' };
let report: ConformanceReport | undefined;

function render(): void {
  clear(app);
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.verdict]++;
  const running = header.state === 'running';
  append(
    app,
    h('h1', {}, icon('checklist'), ` ${header.serverName || 'Conformance'}`),
    h('p', { className: 'muted' }, header.broker ? `on ${header.broker}` : '', report ? ` · ${new Date(report.startedAt).toLocaleString()} · ${(report.durationMs / 1000).toFixed(1)} s` : ''),
    h(
      'div',
      { className: 'toolbar' },
      h('button', { on: { click: () => host.post({ type: 'rerun' }) }, attrs: { disabled: running } }, icon('refresh'), ' Rerun'),
      h('button', { on: { click: () => host.post({ type: 'copyMarkdown' }) }, attrs: { disabled: !report } }, icon('copy'), ' Copy as Markdown'),
      h('button', { on: { click: () => host.post({ type: 'exportJson' }) }, attrs: { disabled: !report } }, icon('save'), ' Export JSON'),
    ),
    h(
      'p',
      { className: `summary ${counts.fail ? 'has-fail' : counts.warn ? 'has-warn' : 'all-pass'}`, attrs: { 'data-testid': 'summary' } },
      running ? 'Checking… ' : header.state === 'failed' ? `Could not run: ${header.message} ` : '',
      `${counts.pass} passed, ${counts.warn} warnings, ${counts.fail} failed, ${counts.skip} skipped`,
    ),
  );
  for (const [group, title] of Object.entries(GROUPS)) {
    const rows = results.filter((r) => r.group === group);
    if (!rows.length) continue;
    const section = h('section', {}, h('h2', {}, title));
    for (const r of rows) section.append(row(r));
    app.append(section);
  }
}

function row(r: CheckResult): HTMLElement {
  const details = r.verdict === 'pass' || r.verdict === 'skip' ? [] : [h('div', { className: 'detail' }, h('div', {}, h('strong', {}, 'Expected: '), r.expected), h('div', {}, h('strong', {}, 'Observed: '), r.observed), h('div', { className: 'muted' }, h('strong', {}, 'Verdict: '), r.basis))];
  return h(
    'div',
    { className: `check ${r.verdict}`, attrs: { 'data-check': r.id } },
    h(
      'div',
      { className: 'line' },
      h('span', { className: `verdict ${r.verdict}`, title: r.verdict }, icon(ICONS[r.verdict])),
      h('span', { className: 'title' }, r.title),
      h('span', { className: 'muted id' }, r.id),
      h('a', { className: 'spec', title: r.rule, attrs: { href: '#' }, on: { click: (e: Event) => (e.preventDefault(), host.post({ type: 'openSpec', url: r.specUrl })) } }, r.section),
    ),
    r.verdict === 'skip' ? h('div', { className: 'muted detail' }, r.observed) : null,
    ...details,
  );
}

host.onMessage((message) => {
  switch (message.type) {
    case 'started':
      results = [];
      report = undefined;
      header = { serverName: message.serverName, broker: message.broker, state: 'running', message: '' };
      break;
    case 'progress':
      results.push(message.result);
      break;
    case 'report':
      report = message.report;
      results = message.report.results;
      header.state = 'done';
      host.setState({ report });
      break;
    case 'failed':
      header.state = 'failed';
      header.message = message.message;
      break;
  }
  render();
});

const saved = host.getState()?.report;
if (saved) {
  report = saved;
  results = saved.results;
  header = { serverName: saved.server, broker: '', state: 'done', message: '' };
}
render();
host.post({ type: 'ready' });
