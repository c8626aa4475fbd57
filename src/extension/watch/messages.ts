// The check of what a Watch panel's webview sends (it renders device data and is not trusted), and how a
// watch's end is told to it. Pure.
import type { WatchEnd } from '../../core/watch/resource-watch.js';
import type { WatchFromWebview, WatchStatus } from '../../../webview/watch/protocol.js';
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
    case 'rewatch':
      return { ok: true, message: { type } };
    default:
      return { ok: false, reason: `unknown message type ${JSON.stringify(type).slice(0, 60)}` };
  }
}

/** Why a watch ended, in the panel's terms: a device that went offline is told apart from a closed session. */
export function endStatus(end: WatchEnd): WatchStatus {
  const reason = end.reason === 'stopped' ? 'stopped' : /offline/i.test(end.message ?? '') ? 'offline' : 'session-closed';
  return { state: 'ended', reason, ...(end.message ? { message: end.message } : {}) };
}
