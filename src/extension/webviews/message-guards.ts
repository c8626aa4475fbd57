// Structural checks of what the webviews (tool invoker, timeline, conformance report) send. A webview renders device data, so a message is treated as
// untrusted input: anything that does not match the protocol exactly is rejected with a reason (the caller
// logs it and drops the message). Pure: no vscode import, unit-tested in Node.
import type { InvokerState, InvokerWebviewMessage, TimelineWebviewMessage } from '../../../webview/shared/protocol.js';
import type { ReportFromWebview } from '../../../webview/conformance/protocol.js';
import type { DeviceRequestFromWebview } from '../../../webview/device-request/protocol.js';

export type Checked<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Arguments are re-serialized for the device; a bound keeps a broken webview from posting huge documents. */
export const MAX_ARGUMENTS_BYTES = 1024 * 1024;
const MAX_ID_LENGTH = 128;
const MAX_URI_LENGTH = 8192;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortString(v: unknown, max = MAX_ID_LENGTH): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function argumentsProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return '"args" must be a JSON object';
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch {
    return '"args" is not serializable';
  }
  return text.length > MAX_ARGUMENTS_BYTES ? `"args" is larger than ${MAX_ARGUMENTS_BYTES} bytes` : undefined;
}

function fail<T>(reason: string): Checked<T> {
  return { ok: false, reason };
}

export function checkInvokerMessage(raw: unknown): Checked<InvokerWebviewMessage> {
  if (!isRecord(raw) || typeof raw.type !== 'string') return fail('not a message object with a "type"');
  const m = raw;
  const ok = (message: InvokerWebviewMessage): Checked<InvokerWebviewMessage> => ({ ok: true, message });
  switch (m.type) {
    case 'ready':
    case 'clearHistory':
      return ok({ type: m.type });
    case 'validate': {
      if (!Number.isSafeInteger(m.seq)) return fail('"seq" must be an integer');
      const problem = argumentsProblem(m.args);
      return problem ? fail(problem) : ok({ type: 'validate', seq: m.seq as number, args: m.args as Record<string, unknown> });
    }
    case 'invoke': {
      if (!shortString(m.callId)) return fail('"callId" must be a short string');
      const problem = argumentsProblem(m.args);
      return problem ? fail(problem) : ok({ type: 'invoke', callId: m.callId, args: m.args as Record<string, unknown> });
    }
    case 'copyArguments':
    case 'copyCommand': {
      const problem = argumentsProblem(m.args);
      return problem ? fail(problem) : ok({ type: m.type, args: m.args as Record<string, unknown> });
    }
    case 'cancel':
      return shortString(m.callId) ? ok({ type: 'cancel', callId: m.callId }) : fail('"callId" must be a short string');
    case 'openResource':
      return shortString(m.uri, MAX_URI_LENGTH) ? ok({ type: 'openResource', uri: m.uri }) : fail('"uri" must be a non-empty string');
    default:
      return fail(`unknown message type ${JSON.stringify(m.type).slice(0, 60)}`);
  }
}

export function checkTimelineMessage(raw: unknown): Checked<TimelineWebviewMessage> {
  if (!isRecord(raw) || typeof raw.type !== 'string') return fail('not a message object with a "type"');
  switch (raw.type) {
    case 'ready':
    case 'clear':
    case 'export':
    case 'import':
    case 'showLive':
      return { ok: true, message: { type: raw.type } };
    case 'detail':
      return Number.isSafeInteger(raw.seq) ? { ok: true, message: { type: 'detail', seq: raw.seq as number } } : fail('"seq" must be an integer');
    default:
      return fail(`unknown message type ${JSON.stringify(raw.type).slice(0, 60)}`);
  }
}

export function checkConformanceMessage(raw: unknown): Checked<ReportFromWebview> {
  if (!isRecord(raw) || typeof raw.type !== 'string') return fail('not a message object with a "type"');
  switch (raw.type) {
    case 'ready':
    case 'rerun':
    case 'copyMarkdown':
    case 'exportJson':
      return { ok: true, message: { type: raw.type } };
    case 'openSpec':
      // The panel opens only links its own report carries; this checks the shape.
      return shortString(raw.url, MAX_URI_LENGTH) ? { ok: true, message: { type: 'openSpec', url: raw.url } } : fail('"url" must be a non-empty string');
    default:
      return fail(`unknown message type ${JSON.stringify(raw.type).slice(0, 60)}`);
  }
}

/** The state a serialized invoker panel comes back with (it was written by the webview: check it too). */
export function checkDeviceRequestMessage(raw: unknown): Checked<DeviceRequestFromWebview> {
  if (!isRecord(raw) || typeof raw.type !== 'string') return fail('not a message object with a "type"');
  switch (raw.type) {
    case 'ready':
    case 'decline':
    case 'cancel':
      return { ok: true, message: { type: raw.type } };
    case 'accept': {
      const problem = argumentsProblem(raw.values);
      return problem ? fail(problem.replace('"args"', '"values"')) : { ok: true, message: { type: 'accept', values: raw.values as Record<string, unknown> } };
    }
    default:
      return fail(`unknown message type ${JSON.stringify(raw.type).slice(0, 60)}`);
  }
}

export function checkInvokerState(raw: unknown): InvokerState | undefined {
  if (!isRecord(raw)) return undefined;
  const { brokerId, serverName, toolName, args } = raw;
  if (!shortString(brokerId, 1024) || !shortString(serverName, 65535) || !shortString(toolName, 1024)) return undefined;
  return { brokerId, serverName, toolName, args: argumentsProblem(args) ? {} : (args as Record<string, unknown>) };
}
