// The per-tool call history list (kept by the host in globalState): re-run, load, copy arguments or a CLI line.
import type { HistoryEntry } from '../shared/protocol.js';
import { h, icon } from '../shared/dom.js';
import { formatDuration } from '../shared/format.js';

export interface HistoryActions {
  rerun(entry: HistoryEntry): void;
  load(entry: HistoryEntry): void;
  copyArguments(entry: HistoryEntry): void;
  copyCommand(entry: HistoryEntry): void;
  clear(): void;
}

const OUTCOME_LABEL: Record<HistoryEntry['outcome'], [string, string]> = {
  result: ['pass', 'ok'],
  isError: ['warning', 'tool error'],
  rpcError: ['error', 'JSON-RPC error'],
  failure: ['error', 'failed'],
  cancelled: ['circle-slash', 'cancelled'],
};

export function renderHistory(entries: readonly HistoryEntry[], actions: HistoryActions): HTMLElement {
  const section = h('section', { className: 'history', attrs: { 'aria-label': 'History' } });
  const head = h('div', { className: 'section-head' }, h('h2', {}, `History (${entries.length})`));
  if (entries.length) head.append(action('Clear history', 'clear-all', actions.clear));
  section.append(head);
  if (entries.length === 0) section.append(h('p', { className: 'muted' }, 'Calls made here are listed, newest first.'));
  for (const entry of entries) {
    const [glyph, label] = OUTCOME_LABEL[entry.outcome] ?? ['question', entry.outcome];
    const args = JSON.stringify(entry.args);
    section.append(h('div', { className: 'history-entry' },
      h('span', { className: `history-outcome outcome-${entry.outcome}` }, icon(glyph), ` ${label}`),
      h('span', { className: 'muted' }, `${new Date(entry.time).toLocaleTimeString()} · ${formatDuration(entry.durationMs)}`),
      h('code', { className: 'history-args', title: args }, args.length > 120 ? `${args.slice(0, 120)}…` : args),
      h('span', { className: 'history-actions' },
        action('Re-run', 'debug-rerun', () => actions.rerun(entry)),
        action('Load arguments into the form', 'arrow-up', () => actions.load(entry)),
        action('Copy arguments', 'copy', () => actions.copyArguments(entry)),
        action('Copy as mqtt-mcp command', 'terminal', () => actions.copyCommand(entry)))));
  }
  return section;
}

function action(label: string, glyph: string, run: () => void): HTMLElement {
  const b = h('vscode-button', { title: label, attrs: { icon: glyph, 'icon-only': true, secondary: true, 'aria-label': label } });
  b.addEventListener('click', run);
  return b;
}
