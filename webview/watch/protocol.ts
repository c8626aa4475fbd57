// Messages between a Watch panel and its webview. Both sides import this file; the host checks what the
// webview sends with checkWatchMessage (src/extension/watch/messages.ts). Type-only.

import type { WatchRow } from '../../src/core/watch/watch-feed.js';

export type { WatchRow };

export interface WatchInfo {
  brokerLabel: string;
  serverName: string;
  uri: string;
  mode: 'subscribe' | 'poll';
  pollIntervalMs: number;
  /** Points kept per field, on both sides. */
  maxSamples: number;
}

export type WatchStatus =
  | { state: 'watching' }
  | { state: 'ended'; reason: 'stopped' | 'offline' | 'session-closed'; message?: string };

export type WatchToWebview =
  | { type: 'init'; info: WatchInfo; rows: WatchRow[]; texts: [string, string][]; samples: number; status: WatchStatus }
  | { type: 'rows'; rows: WatchRow[]; texts: [string, string][]; samples: number }
  | { type: 'status'; status: WatchStatus }
  | { type: 'exported'; path: string };

export type WatchFromWebview = { type: 'ready' } | { type: 'exportCsv' } | { type: 'unwatch' } | { type: 'rewatch' };
