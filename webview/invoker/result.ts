// Renders a call outcome. Device data goes into text nodes only; media only through the data: URLs that
// classifyContent accepted; resource URIs go to the host (which reads them into an editor), never into href.
import type { CallOutcome } from '../shared/protocol.js';
import { classifyContent, type ContentBlock } from '../shared/content.js';
import { h, icon } from '../shared/dom.js';
import { formatBytes, formatDuration, prettyJson } from '../shared/format.js';

export interface ResultActions {
  openResource(uri: string): void;
}

export function renderOutcome(outcome: CallOutcome, actions: ResultActions): HTMLElement {
  const box = h('section', { className: `outcome outcome-${outcomeClass(outcome)}`, attrs: { 'aria-label': 'Result' } });
  box.append(h('div', { className: 'outcome-head' }, icon(outcomeIcon(outcome)), h('span', { className: 'outcome-title' }, outcomeTitle(outcome)),
    h('span', { className: 'muted' }, ` · ${formatDuration(outcome.durationMs)}`)));
  switch (outcome.kind) {
    case 'result':
      if (outcome.content.length === 0) box.append(h('p', { className: 'muted' }, 'No content.'));
      for (const item of outcome.content) box.append(renderBlock(classifyContent(item), actions));
      if (outcome.structuredContent !== undefined || outcome.outputCheck) box.append(renderStructured(outcome));
      break;
    case 'rpcError':
      box.append(h('pre', { className: 'text' }, outcome.message));
      if (outcome.data !== undefined) box.append(h('div', { className: 'block-label' }, 'data'), h('pre', { className: 'json' }, prettyJson(outcome.data)));
      break;
    case 'failure':
      box.append(h('pre', { className: 'text' }, outcome.message));
      break;
    case 'cancelled':
      box.append(h('p', { className: 'muted' }, 'The call was cancelled; the device was sent notifications/cancelled.'));
      break;
  }
  return box;
}

function outcomeClass(o: CallOutcome): string {
  if (o.kind === 'result') return o.isError ? 'tool-error' : 'ok';
  return o.kind === 'rpcError' || o.kind === 'failure' ? 'rpc-error' : 'cancelled';
}

function outcomeIcon(o: CallOutcome): string {
  if (o.kind === 'result') return o.isError ? 'warning' : 'pass';
  return o.kind === 'cancelled' ? 'circle-slash' : 'error';
}

function outcomeTitle(o: CallOutcome): string {
  switch (o.kind) {
    case 'result': return o.isError ? 'Tool error (isError: true)' : 'Result';
    case 'rpcError': return `JSON-RPC error ${o.code}`;
    case 'failure': return 'Call failed';
    case 'cancelled': return 'Cancelled';
  }
}

function renderStructured(o: Extract<CallOutcome, { kind: 'result' }>): HTMLElement {
  const section = h('div', { className: 'structured' }, h('div', { className: 'block-label' }, 'structuredContent'));
  if (o.outputCheck) {
    const check = o.outputCheck;
    section.append(h('div', { className: `schema-check ${check.ok ? 'pass' : 'fail'}` }, icon(check.ok ? 'pass' : 'error'),
      check.ok ? ' Matches the outputSchema' : ' Does not match the outputSchema'));
    if (!check.ok) section.append(h('ul', { className: 'issues' }, ...check.issues.map((i) => h('li', {}, `${i.path.join('.') || '(root)'}: ${i.message}`))));
  }
  if (o.structuredContent !== undefined) section.append(h('pre', { className: 'json' }, prettyJson(o.structuredContent)));
  return section;
}

export function renderBlock(block: ContentBlock, actions: ResultActions): HTMLElement {
  switch (block.kind) {
    case 'text': return h('pre', { className: 'block text' }, block.text);
    case 'json': return h('pre', { className: 'block json' }, block.text);
    case 'image': {
      const img = h('img', { className: 'block image', attrs: { alt: `image (${block.mimeType}, ${formatBytes(block.bytes)})` } });
      img.src = block.src;
      return h('figure', { className: 'block' }, img, h('figcaption', { className: 'muted' }, `${block.mimeType}, ${formatBytes(block.bytes)}`));
    }
    case 'audio': {
      const audio = h('audio', { attrs: { controls: true, preload: 'metadata' } });
      audio.src = block.src;
      return h('figure', { className: 'block' }, audio, h('figcaption', { className: 'muted' }, `${block.mimeType}, ${formatBytes(block.bytes)}`));
    }
    case 'resource': {
      const box = h('div', { className: 'block resource' },
        h('div', { className: 'block-label' }, icon('file'), ' embedded resource ', h('code', {}, block.uri), block.mimeType ? h('span', { className: 'muted' }, ` ${block.mimeType}`) : ''));
      if (block.text !== undefined) box.append(h('pre', { className: block.json ? 'json' : 'text' }, block.text));
      else if (block.image) {
        const img = h('img', { className: 'image', attrs: { alt: `embedded image ${block.uri}` } });
        img.src = block.image;
        box.append(img);
      } else box.append(h('p', { className: 'muted' }, `binary, ${formatBytes(block.bytes)}`));
      return box;
    }
    case 'link': {
      const open = h('button', { className: 'link', title: `Read ${block.uri} from the device and open it in an editor`, on: { click: () => actions.openResource(block.uri) } }, icon('link-external'), ` ${block.name}`);
      return h('div', { className: 'block resource-link' }, open, ' ', h('code', {}, block.uri),
        block.mimeType ? h('span', { className: 'muted' }, ` ${block.mimeType}`) : '', block.description ? h('div', { className: 'muted' }, block.description) : '');
    }
    case 'invalid':
      return h('div', { className: 'block invalid' }, h('div', {}, icon('warning'), ` Not shown: ${block.reason}`), h('pre', { className: 'json' }, block.raw));
  }
}
