// Tool invoker webview: the form (or raw JSON) over one arguments document, Invoke/Cancel with progress,
// the outcome, and the tool's history. It says `ready` first and renders whatever the host sends.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { ObjectField } from '../../src/core/forms/types.js';
import { parseRawJson, toRawJson, writeValue } from '../../src/core/forms/values.js';
import type { CallOutcome, HistoryEntry, InvokerHostMessage, InvokerState, InvokerWebviewMessage, ProgressInfo, ToolInfo } from '../shared/protocol.js';
import { h, icon } from '../shared/dom.js';
import { formatDuration } from '../shared/format.js';
import { hostChannel } from '../shared/vscode-api.js';
import { FormView } from './form.js';
import { renderHistory } from './history-view.js';
import { renderOutcome } from './result.js';

type SavedState = InvokerState & { mode?: 'form' | 'json' };

const host = hostChannel<InvokerHostMessage, InvokerWebviewMessage, SavedState>();
const VALIDATE_DEBOUNCE_MS = 250;

let saved = host.getState();
let model: ObjectField | undefined;
let args: Record<string, unknown> = saved?.args ?? {};
let mode: 'form' | 'json' = saved?.mode ?? 'form';
let seq = 0;
let validateTimer: ReturnType<typeof setTimeout> | undefined;
let running: { callId: string; startedAt: number; progress?: ProgressInfo } | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;
let history: HistoryEntry[] = [];

const app = document.getElementById('app') as HTMLElement;
const header = h('header', { className: 'tool-header' });
const formView = new FormView({
  document: () => args,
  write: (path, value, structural) => {
    args = writeValue(args, path, value) as Record<string, unknown>;
    changed(structural);
  },
});
const rawArea = h('vscode-textarea', { className: 'raw-json', attrs: { 'aria-label': 'Arguments as JSON', rows: 14, monospace: true } });
const rawError = h('div', { className: 'field-error', attrs: { role: 'alert' } });
const rawView = h('div', { className: 'raw-view' }, rawArea, rawError);
const modeForm = h('vscode-button', { attrs: { secondary: true, icon: 'list-unordered' } }, 'Form');
const modeJson = h('vscode-button', { attrs: { secondary: true, icon: 'json' } }, 'JSON');
const invokeButton = h('vscode-button', { attrs: { icon: 'play' } }, 'Invoke');
const cancelButton = h('vscode-button', { attrs: { icon: 'debug-stop', secondary: true, hidden: true } }, 'Cancel');
const copyArgsButton = h('vscode-button', { title: 'Copy the arguments as JSON', attrs: { icon: 'copy', secondary: true } }, 'Copy arguments');
const copyCommandButton = h('vscode-button', { title: 'Copy as a mqtt-mcp call command', attrs: { icon: 'terminal', secondary: true } }, 'Copy command');
const issueSummary = h('span', { className: 'issue-summary muted' });
const progressBox = h('div', { className: 'progress', attrs: { hidden: true, role: 'status' } });
const outcomeBox = h('div', { className: 'outcome-box' });
const historyBox = h('div');
const editor = h('div', { className: 'editor' });

app.append(header,
  h('div', { className: 'toolbar' }, h('span', { className: 'mode-switch' }, modeForm, modeJson), invokeButton, cancelButton, copyArgsButton, copyCommandButton, issueSummary),
  editor, progressBox, outcomeBox, historyBox);

modeForm.addEventListener('click', () => setMode('form'));
modeJson.addEventListener('click', () => setMode('json'));
invokeButton.addEventListener('click', () => invoke());
cancelButton.addEventListener('click', () => running && host.post({ type: 'cancel', callId: running.callId }));
copyArgsButton.addEventListener('click', () => host.post({ type: 'copyArguments', args }));
copyCommandButton.addEventListener('click', () => host.post({ type: 'copyCommand', args }));
rawArea.addEventListener('input', () => {
  const parsed = parseRawJson(rawArea.value);
  rawError.replaceChildren();
  if ('error' in parsed) {
    rawError.append(icon('error'), ` ${parsed.error}`);
    return;
  }
  args = parsed.value;
  changed(false, false);
});
// Ctrl/Cmd+Enter invokes from anywhere in the page.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) invoke();
});

function saveState(): void {
  if (!saved) return;
  saved = { ...saved, args, mode };
  host.setState(saved);
}

/** After every edit: keep both editors and the saved state in step, and ask the host to validate (debounced). */
function changed(structural: boolean, updateRaw = true): void {
  if (structural && model) formView.render(model);
  if (updateRaw && mode === 'json') rawArea.value = toRawJson(args);
  if (!updateRaw && mode === 'json' && model) formView.render(model); // the form follows raw edits
  saveState();
  if (validateTimer !== undefined) clearTimeout(validateTimer);
  validateTimer = setTimeout(() => host.post({ type: 'validate', seq: ++seq, args }), VALIDATE_DEBOUNCE_MS);
}

function setMode(next: 'form' | 'json'): void {
  mode = next;
  modeForm.toggleAttribute('secondary', mode !== 'form');
  modeJson.toggleAttribute('secondary', mode !== 'json');
  rawError.replaceChildren();
  if (mode === 'json') rawArea.value = toRawJson(args);
  else if (model) formView.render(model);
  editor.replaceChildren(mode === 'form' ? formView.element : rawView);
  saveState();
}

function invoke(): void {
  if (running || !model) return;
  const callId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  setRunning({ callId, startedAt: Date.now() });
  host.post({ type: 'invoke', callId, args });
}

function setRunning(next: typeof running): void {
  running = next;
  invokeButton.toggleAttribute('disabled', !!running);
  cancelButton.toggleAttribute('hidden', !running);
  progressBox.toggleAttribute('hidden', !running);
  if (ticker !== undefined) clearInterval(ticker);
  ticker = running ? setInterval(renderProgress, 100) : undefined;
  renderProgress();
}

function renderProgress(): void {
  if (!running) return progressBox.replaceChildren();
  const p = running.progress;
  const bar = h('progress', { attrs: p?.total ? { max: p.total, value: p.progress } : {} });
  const text = p ? `${p.message ?? `progress ${p.progress}${p.total ? ` of ${p.total}` : ''}`}` : 'Waiting for the device…';
  progressBox.replaceChildren(icon('loading codicon-modifier-spin'), ' ', h('span', { className: 'progress-text' }, text), bar,
    h('span', { className: 'muted' }, ` ${formatDuration(Date.now() - running.startedAt)}`));
}

function showOutcome(outcome: CallOutcome): void {
  outcomeBox.replaceChildren(renderOutcome(outcome, { openResource: (uri) => host.post({ type: 'openResource', uri }) }));
}

function showHistory(): void {
  historyBox.replaceChildren(renderHistory(history, {
    rerun: (entry) => {
      args = structuredClone(entry.args);
      changed(true);
      invoke();
    },
    load: (entry) => {
      args = structuredClone(entry.args);
      changed(true);
    },
    copyArguments: (entry) => host.post({ type: 'copyArguments', args: entry.args }),
    copyCommand: (entry) => host.post({ type: 'copyCommand', args: entry.args }),
    clear: () => host.post({ type: 'clearHistory' }),
  }));
}

function renderHeader(tool: ToolInfo, serverName: string, brokerLabel: string): void {
  const badges = Object.entries(tool.annotations ?? {})
    .filter(([k, v]) => k.endsWith('Hint') && typeof v === 'boolean')
    .map(([k, v]) => h('span', { className: 'badge' }, `${k.replace(/Hint$/, '')}: ${String(v)}`));
  header.replaceChildren(
    h('h1', {}, icon('tools'), ` ${tool.title ?? tool.name}`),
    h('div', { className: 'muted' }, h('code', {}, tool.name), ` on ${serverName} · ${brokerLabel}`, tool.hasOutputSchema ? ' · declares an outputSchema' : ''),
    tool.description ? h('p', { className: 'tool-description' }, tool.description) : '',
    tool.notAllowed ? h('p', { className: 'not-allowed' }, icon('lock'), ` ${tool.notAllowed}`) : '',
    badges.length ? h('div', { className: 'badges' }, ...badges) : '');
}

host.onMessage((message) => {
  switch (message.type) {
    case 'init': {
      const { target, tool } = message;
      const sameTool = saved?.brokerId === target.brokerId && saved.serverName === target.serverName && saved.toolName === tool.name;
      // The webview's own state is newer than the host's when the panel was only hidden and shown again.
      args = sameTool && saved && Object.keys(saved.args).length > 0 ? saved.args : message.args;
      saved = { brokerId: target.brokerId, serverName: target.serverName, toolName: tool.name, args, mode };
      model = message.model;
      history = message.history;
      renderHeader(tool, target.serverName, target.brokerLabel);
      setMode(mode);
      showHistory();
      setRunning(message.running);
      if (message.lastOutcome) showOutcome(message.lastOutcome.outcome);
      changed(false);
      return;
    }
    case 'unavailable':
      saved ??= { brokerId: message.target.brokerId, serverName: message.target.serverName, toolName: message.toolName, args: {} };
      host.setState(saved);
      header.replaceChildren(h('h1', {}, icon('tools'), ` ${message.toolName}`), h('div', { className: 'muted' }, `${message.target.serverName} · ${message.target.brokerLabel}`));
      editor.replaceChildren(h('p', { className: 'unavailable' }, icon('info'), ` ${message.reason}`));
      return;
    case 'validation':
      if (message.seq !== seq) return; // an answer to an older document
      formView.showIssues(message.issues);
      issueSummary.textContent = message.issues.length ? `${message.issues.length} problem${message.issues.length > 1 ? 's' : ''} with the arguments` : '';
      if (mode === 'json') {
        rawError.replaceChildren(...message.issues.map((i) => h('div', {}, icon('error'), ` ${i.path.join('.') || '(root)'}: ${i.message}`)));
      }
      return;
    case 'progress':
      if (running?.callId === message.callId) {
        running.progress = message.progress;
        renderProgress();
      }
      return;
    case 'outcome':
      if (running?.callId === message.callId) setRunning(undefined);
      showOutcome(message.outcome);
      return;
    case 'history':
      history = message.entries;
      showHistory();
      return;
    case 'setArguments':
      args = message.args;
      changed(true);
      return;
  }
});

host.post({ type: 'ready' });
