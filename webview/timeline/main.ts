// Event timeline webview: a virtualized, filterable copy of the host's event log (replayed on `ready`,
// then streamed in batches), with pause, a detail pane, and visible truncation.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { EventKind } from '../../src/core/events/event-log.js';
import type { TimelineHostMessage, TimelineMeta, TimelineRow, TimelineWebviewMessage } from '../shared/protocol.js';
import { h, icon } from '../shared/dom.js';
import { formatBytes, formatClock, formatLatency } from '../shared/format.js';
import { VirtualList } from '../shared/virtual-list.js';
import { hostChannel } from '../shared/vscode-api.js';
import { renderDetail } from './detail.js';
import { firstIndexAtOrAfter, isFiltering, NO_FILTER, rowMatcher, type TimelineFilter } from './filter.js';

interface SavedState {
  filter: TimelineFilter;
}

const host = hostChannel<TimelineHostMessage, TimelineWebviewMessage, SavedState>();
const ROW_HEIGHT = 22;
const KINDS: EventKind[] = ['connection', 'presence', 'request', 'response', 'notification', 'session', 'error', 'check', 'consent'];

let meta: TimelineMeta = { evicted: 0, capacity: 1 };
let rows: TimelineRow[] = [];
let shown: TimelineRow[] = [];
let held: TimelineRow[] = []; // arrived while paused
let paused = false;
let filter: TimelineFilter = { ...NO_FILTER, ...host.getState()?.filter };
let matches = rowMatcher(filter);
let selectedSeq: number | undefined;
const seen = { broker: new Set<string>(), server: new Set<string>(), method: new Set<string>() };

const app = document.getElementById('app') as HTMLElement;

function select(label: string, key: keyof typeof seen | 'kind'): HTMLSelectElement {
  const el = h('select', { className: 'filter', title: `Filter by ${label}`, attrs: { 'aria-label': `Filter by ${label}`, 'data-filter': key } });
  el.addEventListener('change', () => setFilter({ [key]: el.value }));
  return el;
}
const brokerSelect = select('broker', 'broker');
const serverSelect = select('server', 'server');
const kindSelect = select('kind', 'kind');
const methodSelect = select('method', 'method');
const textInput = h('input', { className: 'filter filter-text', attrs: { type: 'search', placeholder: 'Filter text', 'aria-label': 'Filter text' } });
textInput.value = filter.text;
textInput.addEventListener('input', () => setFilter({ text: textInput.value }));

function toolButton(label: string, glyph: string, run: () => void): HTMLElement {
  const b = h('vscode-button', { title: label, attrs: { icon: glyph, 'icon-only': true, secondary: true, 'aria-label': label } });
  b.addEventListener('click', run);
  return b;
}
const pauseButton = toolButton('Pause', 'debug-pause', () => setPaused(!paused));
const banner = h('div', { className: 'banner', attrs: { role: 'status' } });
const status = h('span', { className: 'status muted' });
const columns = h('div', { className: 'tl-row tl-head', attrs: { role: 'presentation' } },
  ...['Time', 'Kind', 'Dir', 'Broker / server', 'Method / summary', 'Size', 'Latency', 'Source'].map((c) => h('span', {}, c)));
const detail = h('div', { className: 'detail', attrs: { 'aria-label': 'Event detail' } }, h('div', { className: 'muted detail-empty' }, 'Select an event to see its payload, topic and user properties.'));

const list = new VirtualList({ rowHeight: ROW_HEIGHT, rowClass: 'tl-row', renderRow });
list.viewport.addEventListener('click', (e) => {
  const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.tl-row');
  const row = rowEl ? shown[Number(rowEl.dataset.index)] : undefined;
  if (row) selectRow(row);
});
list.viewport.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  e.preventDefault();
  const at = selectedSeq === undefined ? -1 : firstIndexAtOrAfter(shown, selectedSeq);
  const next = shown[Math.min(shown.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)))];
  if (next) {
    selectRow(next);
    list.reveal(shown.indexOf(next));
  }
});

app.append(
  h('div', { className: 'tl-toolbar' }, brokerSelect, serverSelect, kindSelect, methodSelect, textInput, pauseButton,
    toolButton('Clear', 'clear-all', () => host.post({ type: 'clear' })),
    toolButton('Export to JSONL', 'save', () => host.post({ type: 'export' })),
    toolButton('Import JSONL', 'folder-opened', () => host.post({ type: 'import' })),
    toolButton('Scroll to the newest event', 'fold-down', () => list.scrollToEnd()),
    status),
  banner,
  h('div', { className: 'tl-main' }, h('div', { className: 'tl-list' }, columns, list.viewport), detail),
);

function renderRow(el: HTMLElement, index: number): void {
  const row = shown[index];
  if (!row) return;
  if (el.childElementCount === 0) for (let i = 0; i < 8; i++) el.append(h('span'));
  const cells = el.children;
  const set = (i: number, text: string): void => {
    (cells[i] as HTMLElement).textContent = text;
  };
  set(0, formatClock(row.time));
  set(1, row.kind);
  set(2, row.direction === 'in' ? '← in' : row.direction === 'out' ? '→ out' : '');
  set(3, [row.broker, row.serverName].filter(Boolean).join(' / '));
  set(4, row.method ? `${row.method} · ${row.summary}` : row.summary);
  set(5, formatBytes(row.size));
  set(6, row.latencyMs !== undefined ? formatLatency(row.latencyMs) : '');
  set(7, row.source ?? '');
  el.className = `tl-row kind-${row.kind}${row.level ? ` level-${row.level}` : ''}${row.seq === selectedSeq ? ' selected' : ''}`;
  el.title = row.summary;
}

function fillOptions(el: HTMLSelectElement, all: string, values: Iterable<string>, current: string): void {
  const sorted = [...values].sort();
  if (current && !sorted.includes(current)) sorted.unshift(current);
  el.replaceChildren(h('option', { attrs: { value: '' } }, all), ...sorted.map((v) => h('option', { attrs: { value: v } }, v)));
  el.value = current;
}

function refreshOptions(): void {
  fillOptions(brokerSelect, 'All brokers', seen.broker, filter.broker);
  fillOptions(serverSelect, 'All servers', seen.server, filter.server);
  fillOptions(kindSelect, 'All kinds', KINDS, filter.kind);
  fillOptions(methodSelect, 'All methods', seen.method, filter.method);
}

function setFilter(patch: Partial<TimelineFilter>): void {
  filter = { ...filter, ...patch };
  matches = rowMatcher(filter);
  host.setState({ filter });
  shown = rows.filter(matches);
  list.setCount(shown.length);
  list.refresh();
  renderStatus();
}

function setPaused(next: boolean): void {
  paused = next;
  pauseButton.setAttribute('icon', paused ? 'debug-continue' : 'debug-pause');
  pauseButton.title = paused ? 'Resume' : 'Pause';
  pauseButton.setAttribute('aria-label', pauseButton.title);
  if (!paused && held.length) {
    const batch = held;
    held = [];
    addRows(batch);
  }
  renderStatus();
}

function selectRow(row: TimelineRow): void {
  selectedSeq = row.seq;
  list.refresh();
  detail.replaceChildren(h('div', { className: 'muted detail-empty' }, `Loading event #${row.seq}…`));
  host.post({ type: 'detail', seq: row.seq });
}

function addRows(batch: readonly TimelineRow[]): void {
  let newOptions = false;
  for (const row of batch) {
    rows.push(row);
    if (matches(row)) shown.push(row);
    for (const [key, value] of [['broker', row.broker], ['server', row.serverName], ['method', row.method]] as const) {
      if (value && !seen[key].has(value)) {
        seen[key].add(value);
        newOptions = true;
      }
    }
  }
  // Keep the same window as the host's log: the oldest rows go first.
  if (rows.length > meta.capacity) {
    rows.splice(0, rows.length - meta.capacity);
    shown.splice(0, firstIndexAtOrAfter(shown, (rows[0] as TimelineRow).seq));
  }
  if (newOptions) refreshOptions();
  list.setCount(shown.length);
  renderStatus();
}

function renderStatus(): void {
  const counted = isFiltering(filter) ? `${shown.length.toLocaleString()} of ${rows.length.toLocaleString()} events` : `${rows.length.toLocaleString()} events`;
  status.textContent = paused ? `${counted} · paused${held.length ? `, ${held.length.toLocaleString()} new` : ''}` : counted;
  const notes: HTMLElement[] = [];
  if (meta.imported) {
    const { fileName, events, rejected } = meta.imported;
    const back = h('button', { className: 'link', on: { click: () => host.post({ type: 'showLive' }) } }, 'Back to the live timeline');
    notes.push(h('div', { className: 'banner-imported' }, icon('file'), ` Imported ${fileName}: ${events.toLocaleString()} events`,
      rejected ? `, ${rejected} lines rejected` : '', ' (offline, not live). ', back));
  }
  if (meta.evicted > 0) {
    notes.push(h('div', { className: 'banner-dropped' }, icon('warning'),
      ` ${meta.evicted.toLocaleString()} older events dropped (limit ${meta.capacity.toLocaleString()}, setting mqttMcp.timeline.maxEvents)`));
  }
  banner.replaceChildren(...notes);
  banner.toggleAttribute('hidden', notes.length === 0);
}

host.onMessage((message) => {
  switch (message.type) {
    case 'reset':
      meta = message.meta;
      rows = [];
      shown = [];
      held = [];
      selectedSeq = undefined;
      for (const set of Object.values(seen)) set.clear();
      refreshOptions();
      detail.replaceChildren(h('div', { className: 'muted detail-empty' }, 'Select an event to see its payload, topic and user properties.'));
      list.setCount(0);
      list.scrollToEnd();
      renderStatus();
      return;
    case 'append':
      meta = message.meta;
      if (paused) {
        held.push(...message.rows);
        if (held.length > meta.capacity) held.splice(0, held.length - meta.capacity);
        renderStatus();
      } else addRows(message.rows);
      return;
    case 'detail':
      if (message.seq === selectedSeq) detail.replaceChildren(renderDetail(message.event, message.seq));
      return;
  }
});

refreshOptions();
renderStatus();
host.post({ type: 'ready' });
