// Watch panel webview: every numeric field of the watched resource plotted over time with uPlot (gaps where
// the device went offline or a read failed), the other fields in a table, Pause/Resume (freezes the drawing;
// rows keep arriving), drag-zoom with a reset, CSV export and Unwatch (both done by the host).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, icon } from '../shared/dom.js';
import { formatClock } from '../shared/format.js';
import { hostChannel } from '../shared/vscode-api.js';
import { PlotState } from './plot-state.js';
import type { WatchFromWebview, WatchInfo, WatchStatus, WatchToWebview } from './protocol.js';

const host = hostChannel<WatchToWebview, WatchFromWebview, never>();
const state = new PlotState(1000);
let info: WatchInfo | undefined;
let status: WatchStatus = { state: 'watching' };
let chart: uPlot | undefined;
let zoomed = false;

const app = document.getElementById('app') as HTMLElement;
const title = h('h1', { className: 'title' });
const how = h('div', { className: 'how muted', attrs: { 'data-testid': 'watch-mode' } });
const statusLine = h('div', { className: 'status', attrs: { role: 'status', 'data-testid': 'watch-status' } });
const counts = h('span', { className: 'counts muted' });

function button(label: string, glyph: string, run: () => void): HTMLElement {
  const action = label.toLowerCase().replace(/\W+/g, '-');
  const b = h('vscode-button', { title: label, attrs: { icon: glyph, secondary: true, 'data-action': action } }, label);
  b.addEventListener('click', run);
  return b;
}
const pauseButton = button('Pause', 'debug-pause', () => setPaused(!state.paused));
const resetButton = button('Reset Zoom', 'zoom-out', () => resetZoom());
const unwatchButton = button('Unwatch', 'eye-closed', () => host.post({ type: 'unwatch' }));
const rewatchButton = button('Watch Again', 'eye', () => host.post({ type: 'rewatch' }));
const plotBox = h('div', { className: 'plot', attrs: { 'data-testid': 'watch-plot' } });
const emptyPlot = h('div', { className: 'muted empty' }, 'No numeric field yet: the values are in the table below.');
const table = h('table', { className: 'texts', attrs: { 'aria-label': 'Non-numeric fields' } });

app.append(
  h('header', {}, title, how),
  h('div', { className: 'toolbar' }, pauseButton, resetButton, button('Export CSV', 'save', () => host.post({ type: 'exportCsv' })), unwatchButton, rewatchButton, counts),
  statusLine,
  plotBox,
  h('h2', {}, 'Other fields (latest)'),
  table,
);

/** Series colours from the theme's chart palette, so the plot follows light, dark and high contrast. */
function themeColour(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}
const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];

function buildChart(): void {
  setZoomed(false);
  chart?.destroy();
  chart = undefined;
  plotBox.replaceChildren();
  if (!state.names.length) {
    plotBox.append(emptyPlot);
    return;
  }
  const fg = themeColour('--vscode-foreground', '#ccc');
  const grid = themeColour('--vscode-editorWidget-border', themeColour('--vscode-panel-border', '#8884'));
  const axis: uPlot.Axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const opts: uPlot.Options = {
    width: Math.max(300, plotBox.clientWidth || app.clientWidth - 24),
    height: 320,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [{ ...axis }, { ...axis, size: 60 }],
    series: [
      { label: 'time', value: (_u, v) => (v == null ? '' : formatClock(v * 1000)) },
      ...state.names.map((name, i) => ({
        label: name,
        stroke: themeColour(PALETTE[i % PALETTE.length]!, '#3794ff'),
        width: 2,
        points: { show: true, size: 4 },
        spanGaps: false,
      })),
    ],
    hooks: {
      setSelect: [(u: uPlot) => {
        if (u.select.width > 0) setZoomed(true);
      }],
    },
  };
  chart = new uPlot(opts, state.data() as uPlot.AlignedData, plotBox);
  state.namesChanged = false;
}

function redraw(): void {
  if (state.namesChanged || !chart) buildChart();
  else chart.setData(state.data() as uPlot.AlignedData, !zoomed);
  describePlot();
  renderTable();
  renderCounts();
}

function setZoomed(next: boolean): void {
  zoomed = next;
  plotBox.dataset.zoomed = String(next);
}

function resetZoom(): void {
  setZoomed(false);
  chart?.setData(state.data() as uPlot.AlignedData, true);
}

function setPaused(next: boolean): void {
  state.paused = next;
  pauseButton.textContent = next ? 'Resume' : 'Pause';
  pauseButton.setAttribute('icon', next ? 'debug-continue' : 'debug-pause');
  if (!next) redraw();
  renderStatus();
}

function renderTable(): void {
  table.replaceChildren(
    h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Value')),
    ...(state.texts.length ? state.texts.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))) : [h('tr', {}, h('td', { className: 'muted', attrs: { colspan: 2 } }, 'none'))]),
  );
}

function renderCounts(): void {
  counts.textContent = `${state.samples} reading${state.samples === 1 ? '' : 's'} · ${state.length} point${state.length === 1 ? '' : 's'} kept`;
  counts.dataset.readings = String(state.samples);
}

/** For tests and assistive tools: what the plot draws (frozen while paused), without reading a canvas. */
function describePlot(): void {
  const first = state.names[0];
  const numbers = first ? state.numbersOf(first) : [];
  plotBox.dataset.points = String(numbers.length);
  plotBox.dataset.series = state.names.join(',');
  plotBox.dataset.values = numbers.slice(-50).join(',');
}

function renderHow(): void {
  if (!info) return;
  title.textContent = `${info.serverName} · ${info.uri}`;
  how.replaceChildren(
    icon(info.mode === 'subscribe' ? 'bell' : 'history'),
    info.mode === 'subscribe'
      ? ' By subscription: the device sends notifications/resources/updated and each one is read.'
      : ` By polling: read every ${info.pollIntervalMs >= 1000 ? `${info.pollIntervalMs / 1000} s` : `${info.pollIntervalMs} ms`} (the device does not offer resources/subscribe).`,
    ` On ${info.brokerLabel}; the newest ${info.maxSamples} points per field are kept.`,
  );
  how.dataset.mode = info.mode;
}

function renderStatus(): void {
  let text: string;
  if (status.state === 'watching') text = state.paused ? 'Paused: readings are still recorded; Resume draws them.' : state.inGap ? 'Watching: the last read failed (a gap in the plot).' : 'Watching.';
  else if (status.reason === 'offline') text = `Stopped: the device went offline${status.message ? ` (${status.message})` : ''}. The gap marks it; Watch Again when it is back.`;
  else if (status.reason === 'session-closed') text = `Stopped: the session ended${status.message ? ` (${status.message})` : ''}. Watch Again to continue.`;
  else text = `Stopped${status.message ? `: ${status.message}` : ''}. The data stays here to export; Watch Again starts a new watch.`;
  statusLine.textContent = text;
  statusLine.dataset.state = status.state === 'watching' ? (state.paused ? 'paused' : 'watching') : 'ended';
  const ended = status.state !== 'watching';
  unwatchButton.hidden = ended;
  rewatchButton.hidden = !ended;
  pauseButton.toggleAttribute('disabled', ended);
}

host.onMessage((m) => {
  switch (m.type) {
    case 'init':
      info = m.info;
      status = m.status;
      state.reset(m.rows, m.info.maxSamples);
      state.texts = m.texts;
      state.samples = m.samples;
      renderHow();
      redraw();
      renderStatus();
      return;
    case 'rows':
      state.append(m.rows);
      state.texts = m.texts;
      state.samples = m.samples;
      if (!state.paused) redraw();
      else renderCounts();
      renderStatus();
      return;
    case 'status':
      status = m.status;
      if (!state.paused) redraw();
      renderStatus();
      return;
    case 'exported':
      statusLine.dataset.exported = m.path;
      return;
  }
});

// A theme change re-colours the chart (VS Code sets the theme kind as a class on <body>).
new MutationObserver(() => state.names.length && buildChart()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new ResizeObserver(() => chart?.setSize({ width: Math.max(300, plotBox.clientWidth), height: 320 })).observe(plotBox);
renderStatus();
host.post({ type: 'ready' });
