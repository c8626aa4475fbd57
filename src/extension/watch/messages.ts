// The check of what a Watch panel's webview sends (it renders device data and is not trusted). Pure.
import type { WatchFromWebview } from '../../../webview/watch/protocol.js';
import type { Checked } from '../webviews/message-guards.js';

export function checkWatchMessage(raw: unknown): Checked<WatchFromWebview> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof (raw as { type?: unknown }).type !== 'string') {
    return { ok: false, reason: 'not a message object with a "type"' };
  }
  const type = (raw as { type: string }).type;
  switch (type) {
    case 'ready':
    case 'exportCsv':
    case 'unwatch':
      return { ok: true, message: { type } };
    default:
      return { ok: false, reason: `unknown message type ${JSON.stringify(type).slice(0, 60)}` };
  }
}
