// "Device request" webview: what a device asks of the user, and the user's answer. An elicitation shows the
// device's message and a form from its schema (Accept / Decline / Cancel); a sampling request shows the
// prompt the device wants a model to answer (Approve / Decline). Device text is only ever text nodes.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { writeValue } from '../../src/core/forms/values.js';
import { h, icon } from '../shared/dom.js';
import { hostChannel } from '../shared/vscode-api.js';
import { FormView } from '../invoker/form.js';
import type { DeviceRequestFromWebview, DeviceRequestToWebview, DeviceRequestView, RequestOrigin } from './protocol.js';

const host = hostChannel<DeviceRequestToWebview, DeviceRequestFromWebview, never>();
const app = document.getElementById('app') as HTMLElement;
let values: Record<string, unknown> = {};
let answered = false;

const formView = new FormView({
  document: () => values,
  write: (path, value, structural) => {
    values = writeValue(values, path, value) as Record<string, unknown>;
    if (structural && current?.kind === 'elicit') formView.render(current.model);
  },
});
let current: DeviceRequestView | undefined;

function answer(message: DeviceRequestFromWebview): void {
  if (answered) return;
  // An accept may come back with validation issues; decline and cancel close the panel.
  if (message.type !== 'accept') answered = true;
  host.post(message);
}

function button(label: string, iconName: string, primary: boolean, onClick: () => void): HTMLElement {
  const b = h('vscode-button', { attrs: { icon: iconName, secondary: !primary } }, label);
  b.addEventListener('click', onClick);
  return b;
}

function header(origin: RequestOrigin, title: string): HTMLElement {
  return h('header', { className: 'tool-header' },
    h('h1', {}, icon('question'), ` ${title}`),
    h('div', { className: 'muted' }, `from ${origin.serverName} (${origin.serverId}) · ${origin.broker}`));
}

function show(origin: RequestOrigin, view: DeviceRequestView): void {
  current = view;
  answered = false;
  if (view.kind === 'elicit') {
    values = view.values;
    formView.render(view.model);
    app.replaceChildren(
      header(origin, 'The device asks for your input'),
      h('p', { className: 'tool-description device-message' }, view.message),
      formView.element,
      h('div', { className: 'toolbar' },
        button('Accept', 'check', true, () => answer({ type: 'accept', values })),
        button('Decline', 'close', false, () => answer({ type: 'decline' })),
        button('Cancel', 'circle-slash', false, () => answer({ type: 'cancel' }))),
    );
    return;
  }
  app.replaceChildren(
    header(origin, 'The device asks for a language model'),
    h('p', {}, 'If you approve, you pick a model and it answers this prompt; the answer goes back to the device.'),
    ...(view.systemPrompt ? [h('h2', {}, 'System prompt'), h('pre', { className: 'sample-system' }, view.systemPrompt)] : []),
    h('h2', {}, 'Messages'),
    ...view.messages.map((m) => h('div', { className: 'sample-message' }, h('div', { className: 'muted' }, m.role), h('pre', {}, m.text))),
    h('p', { className: 'muted' }, `At most ${view.maxTokens} tokens.`, ...view.notes.map((n) => ` ${n}`)),
    h('div', { className: 'toolbar' },
      button('Approve', 'check', true, () => answer({ type: 'accept', values: {} })),
      button('Decline', 'close', false, () => answer({ type: 'decline' }))),
  );
}

host.onMessage((message) => {
  if (message.type === 'show') show(message.origin, message.view);
  else if (message.type === 'validation') formView.showIssues(message.issues);
});
host.post({ type: 'ready' });
