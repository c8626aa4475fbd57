// Messages between the conformance report panel and its webview. Both sides import this file; the host
// checks what the webview sends with checkConformanceMessage (src/extension/webviews/message-guards.ts).
import type { CheckResult, ConformanceReport } from '../../src/core/conformance/types.js';

export type ReportToWebview =
  | { type: 'started'; serverName: string; broker: string }
  | { type: 'progress'; result: CheckResult }
  | { type: 'report'; report: ConformanceReport }
  | { type: 'failed'; message: string };

export type ReportFromWebview =
  | { type: 'ready' }
  | { type: 'rerun' }
  | { type: 'copyMarkdown' }
  | { type: 'exportJson' }
  | { type: 'openSpec'; url: string };
