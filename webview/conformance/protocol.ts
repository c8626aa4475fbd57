// Messages between the conformance report panel and its webview. Both sides import this file.
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

export function isReportFromWebview(value: unknown): value is ReportFromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'rerun':
    case 'copyMarkdown':
    case 'exportJson':
      return true;
    case 'openSpec':
      return typeof m.url === 'string';
    default:
      return false;
  }
}
