// The one message protocol between the extension host and the two webviews (tool invoker, event timeline).
// Both sides import these types; the host additionally checks every incoming message with
// src/extension/webviews/message-guards.ts, because a webview renders device data and is not trusted.
// Type-only apart from constants: nothing here may pull host code into a webview bundle.
import type { ObjectField, ValidationIssue } from '../../src/core/forms/types.js';
import type { TimelineEvent } from '../../src/core/events/event-log.js';

export type { ValidationIssue };

// ---------------------------------------------------------------------------------------------- invoker

export const INVOKER_VIEW_TYPE = 'mqttMcp.toolInvoker';

/** What the serializer needs to reopen an invoker after a reload; the webview keeps it with setState. */
export interface InvokerState {
  brokerId: string;
  serverName: string;
  toolName: string;
  args: Record<string, unknown>;
}

export interface ToolInfo {
  name: string;
  title?: string;
  description?: string;
  hasOutputSchema: boolean;
  annotations?: Record<string, unknown>;
  /** "not allowed: <reason>" when the user's RBAC role does not allow the tool (Invoke is refused with it). */
  notAllowed?: string;
}

export interface TargetInfo {
  brokerId: string;
  brokerLabel: string;
  serverName: string;
}

/** The content blocks of a tool result, as the SDK delivers them (checked by the renderer, not trusted). */
export type ContentItem = Record<string, unknown> & { type: string };

export type CallOutcome =
  | {
      kind: 'result';
      durationMs: number;
      isError: boolean;
      content: ContentItem[];
      structuredContent?: unknown;
      /** Present when the tool declares an outputSchema: the host checked structuredContent against it. */
      outputCheck?: { ok: boolean; issues: ValidationIssue[] };
    }
  | { kind: 'rpcError'; durationMs: number; code: number; message: string; data?: unknown }
  | { kind: 'failure'; durationMs: number; message: string }
  | { kind: 'cancelled'; durationMs: number };

export type HistoryOutcome = CallOutcome['kind'] | 'isError';

export interface HistoryEntry {
  id: string;
  time: number;
  args: Record<string, unknown>;
  durationMs: number;
  outcome: HistoryOutcome;
}

export interface ProgressInfo {
  progress: number;
  total?: number;
  message?: string;
}

export type InvokerHostMessage =
  | {
      type: 'init';
      target: TargetInfo;
      tool: ToolInfo;
      model: ObjectField;
      /** Arguments to start from: the restored ones, else the schema's defaults. */
      args: Record<string, unknown>;
      history: HistoryEntry[];
      /** A call still running (the webview may have been reloaded while it ran). */
      running?: { callId: string; startedAt: number; progress?: ProgressInfo };
      lastOutcome?: { callId: string; outcome: CallOutcome };
    }
  | { type: 'unavailable'; target: TargetInfo; toolName: string; reason: string }
  | { type: 'validation'; seq: number; issues: ValidationIssue[] }
  | { type: 'progress'; callId: string; progress: ProgressInfo }
  | { type: 'outcome'; callId: string; outcome: CallOutcome }
  | { type: 'history'; entries: HistoryEntry[] }
  | { type: 'setArguments'; args: Record<string, unknown> };

export type InvokerWebviewMessage =
  | { type: 'ready' }
  | { type: 'validate'; seq: number; args: Record<string, unknown> }
  | { type: 'invoke'; callId: string; args: Record<string, unknown> }
  | { type: 'cancel'; callId: string }
  | { type: 'openResource'; uri: string }
  | { type: 'copyArguments'; args: Record<string, unknown> }
  | { type: 'copyCommand'; args: Record<string, unknown> }
  | { type: 'clearHistory' };

// --------------------------------------------------------------------------------------------- timeline

/** One list row: the event without its payload and user properties (fetched on demand for the detail pane). */
export type TimelineRow = Pick<
  TimelineEvent,
  'seq' | 'time' | 'kind' | 'summary' | 'level' | 'broker' | 'serverName' | 'direction' | 'topic' | 'method' | 'size' | 'latencyMs' | 'source'
>;

export interface TimelineMeta {
  /** Events the host's log dropped from the front (EventLog.evicted). */
  evicted: number;
  /** The most events kept (EventLog.capacity): the webview trims its copy to the same size. */
  capacity: number;
  /** Set while the view shows an imported file instead of the live log. */
  imported?: { fileName: string; events: number; rejected: number };
}

export type TimelineHostMessage =
  | { type: 'reset'; meta: TimelineMeta }
  | { type: 'append'; rows: TimelineRow[]; meta: TimelineMeta }
  | { type: 'detail'; seq: number; event?: TimelineEvent };

export type TimelineWebviewMessage =
  | { type: 'ready' }
  | { type: 'detail'; seq: number }
  | { type: 'clear' }
  | { type: 'export' }
  | { type: 'import' }
  | { type: 'showLive' };
