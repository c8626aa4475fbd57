// The detail pane: one event in full (fetched from the host on selection), every value as text.
import type { TimelineEvent } from '../../src/core/events/event-log.js';
import { h } from '../shared/dom.js';
import { formatBytes, formatLatency, prettyJson } from '../shared/format.js';

const FIELDS: [keyof TimelineEvent, string][] = [
  ['kind', 'kind'], ['direction', 'direction'], ['level', 'level'], ['broker', 'broker'], ['serverName', 'server'],
  ['serverId', 'server id'], ['clientId', 'client id'], ['topic', 'topic'], ['method', 'method'], ['rpcId', 'JSON-RPC id'],
  ['source', 'source'],
];

export function renderDetail(event: TimelineEvent | undefined, seq: number): HTMLElement {
  if (!event) return h('div', { className: 'detail-empty muted' }, `Event #${seq} is no longer in the log.`);
  const table = h('dl', { className: 'detail-fields' });
  const add = (name: string, value: string): void => {
    table.append(h('dt', {}, name), h('dd', {}, value));
  };
  add('time', new Date(event.time).toISOString());
  for (const [key, name] of FIELDS) if (event[key] !== undefined && event[key] !== '') add(name, String(event[key]));
  if (event.size !== undefined) add('size', formatBytes(event.size));
  if (event.latencyMs !== undefined) add('latency', formatLatency(event.latencyMs));
  const box = h('div', { className: 'detail-body' }, h('div', { className: 'detail-summary' }, `#${event.seq} ${event.summary}`), table);
  if (event.userProperties && Object.keys(event.userProperties).length) {
    box.append(h('div', { className: 'block-label' }, 'User properties'), h('pre', { className: 'json' }, prettyJson(event.userProperties)));
  }
  if (event.payload !== undefined) box.append(h('div', { className: 'block-label' }, 'Payload'), h('pre', { className: 'json' }, payloadText(event.payload)));
  return box;
}

/** Payloads that are JSON text are shown pretty; anything else as it is. */
function payloadText(payload: unknown): string {
  if (typeof payload === 'string') {
    try {
      return prettyJson(JSON.parse(payload));
    } catch {
      return payload;
    }
  }
  return prettyJson(payload);
}
