// Host-side pure parts of the webviews: the WebviewHost class on a fake webview (ready queue, restore,
// requests, checks, disposal), message checks (the webview is not trusted), invoker history bounds, shell
// quoting of the "copy as command" line, call outcomes, and the timeline's row queue.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { type Checked, checkConformanceMessage, checkDeviceRequestMessage, checkInvokerMessage, checkInvokerState, checkTimelineMessage, MAX_ARGUMENTS_BYTES } from '../../src/extension/webviews/message-guards.js';
import { type BeforeReady, MAX_QUEUED_MESSAGES, WebviewHost, type WebviewEndpoint } from '../../src/extension/webviews/webview-host.js';
import { nullLogger, type Logger } from '../../src/core/util/logger.js';
import { addHistoryEntry, readHistoryMap, historyKey } from '../../src/extension/webviews/invoker/history.js';
import { cliCallCommand, shellQuote } from '../../src/extension/webviews/invoker/cli-command.js';
import { failureOutcome, historyOutcome, resultOutcome } from '../../src/extension/webviews/invoker/outcome.js';
import { RowQueue, toRow, MAX_ROW_SUMMARY } from '../../src/extension/webviews/timeline/row-queue.js';
import type { HistoryEntry, TimelineRow } from '../../webview/shared/protocol.js';

describe('invoker message checks', () => {
  it('accepts every well-formed message', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'validate', seq: 3, args: { a: 1 } },
      { type: 'invoke', callId: 'abc', args: {} },
      { type: 'cancel', callId: 'abc' },
      { type: 'openResource', uri: 'device://x/y' },
      { type: 'copyArguments', args: { b: [1] } },
      { type: 'copyCommand', args: {} },
      { type: 'clearHistory' },
    ];
    for (const m of good) assert.equal(checkInvokerMessage(m).ok, true, JSON.stringify(m));
  });

  it('rejects malformed, unknown and oversized messages with a reason', () => {
    const bad: unknown[] = [
      null, 'ready', [], {}, { type: 42 }, { type: 'launchMissiles' },
      { type: 'validate', seq: '1', args: {} },
      { type: 'validate', seq: 1, args: [] },
      { type: 'invoke', callId: '', args: {} },
      { type: 'invoke', callId: 'x'.repeat(500), args: {} },
      { type: 'invoke', callId: 'a', args: 'rm -rf' },
      { type: 'invoke', callId: 'a', args: { big: 'x'.repeat(MAX_ARGUMENTS_BYTES) } },
      { type: 'cancel' },
      { type: 'openResource', uri: 7 },
      { type: 'openResource', uri: '' },
    ];
    for (const m of bad) {
      const r = checkInvokerMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m)?.slice(0, 80));
      assert.ok(!r.ok && r.reason.length > 0);
    }
  });

  it('copies only the known fields (extra keys from the webview are dropped)', () => {
    const r = checkInvokerMessage({ type: 'cancel', callId: 'a', evil: true });
    assert.deepEqual(r.ok && r.message, { type: 'cancel', callId: 'a' });
  });

  it('checks restored panel state', () => {
    assert.deepEqual(checkInvokerState({ brokerId: 'b', serverName: 's/1', toolName: 't', args: { x: 1 } }), { brokerId: 'b', serverName: 's/1', toolName: 't', args: { x: 1 } });
    assert.deepEqual(checkInvokerState({ brokerId: 'b', serverName: 's', toolName: 't', args: 'nope' })?.args, {});
    assert.equal(checkInvokerState({ brokerId: 'b', toolName: 't' }), undefined);
    assert.equal(checkInvokerState(undefined), undefined);
  });
});

describe('timeline message checks', () => {
  it('accepts the protocol and rejects the rest', () => {
    for (const type of ['ready', 'clear', 'export', 'import', 'showLive']) assert.equal(checkTimelineMessage({ type }).ok, true);
    assert.equal(checkTimelineMessage({ type: 'detail', seq: 5 }).ok, true);
    assert.equal(checkTimelineMessage({ type: 'detail', seq: 1.5 }).ok, false);
    assert.equal(checkTimelineMessage({ type: 'detail' }).ok, false);
    assert.equal(checkTimelineMessage({ type: 'eval', code: '1' }).ok, false);
    assert.equal(checkTimelineMessage(undefined).ok, false);
  });
});

describe('invoker history', () => {
  const entry = (id: string): HistoryEntry => ({ id, time: 1, args: {}, durationMs: 5, outcome: 'result' });

  it('keeps the newest entries first, at most perTool', () => {
    let map = {};
    for (let i = 0; i < 60; i++) map = addHistoryEntry(map, 'k', entry(String(i)), 50);
    const list = (map as Record<string, HistoryEntry[]>).k ?? [];
    assert.equal(list.length, 50);
    assert.equal(list[0]?.id, '59');
    assert.equal(list[49]?.id, '10');
  });

  it('forgets the least recently used tools beyond maxTools', () => {
    let map = {};
    for (const k of ['a', 'b', 'c']) map = addHistoryEntry(map, k, entry(k), 50, 3);
    map = addHistoryEntry(map, 'a', entry('a2'), 50, 3); // a becomes the most recent
    map = addHistoryEntry(map, 'd', entry('d'), 50, 3);
    assert.deepEqual(Object.keys(map).sort(), ['a', 'c', 'd']);
  });

  it('does not mutate the stored map, and reads back only well-formed entries', () => {
    const before = { k: [entry('1')] };
    addHistoryEntry(before, 'k', entry('2'));
    assert.equal(before.k.length, 1);
    const read = readHistoryMap({ k: [entry('1'), { id: 2 }, 'x'], bad: 'nope' });
    assert.deepEqual(Object.keys(read), ['k']);
    assert.equal(read.k?.length, 1);
    assert.deepEqual(readHistoryMap(undefined), {});
  });

  it('keys tools without ambiguity', () => {
    assert.notEqual(historyKey('a', 'b/c', 'd'), historyKey('a/b', 'c', 'd'));
  });
});

describe('copy as mqtt-mcp command', () => {
  const sh = (line: string): string[] => JSON.parse(execFileSync('sh', ['-c', `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- ${line.replace(/^mqtt-mcp call /, '')}`], { encoding: 'utf8' })) as string[];

  it('quotes only when needed', () => {
    assert.equal(shellQuote('home/thermostat/1'), 'home/thermostat/1');
    assert.equal(shellQuote('mqtt://127.0.0.1:1883'), 'mqtt://127.0.0.1:1883');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), "''");
  });

  it('survives hostile names and arguments in a real shell', () => {
    const hostile = { message: `'; rm -rf ~; echo "$(id)" \`whoami\` $HOME \\ \n'`, n: 1 };
    const line = cliCallCommand({ brokerUrl: 'mqtt://h:1883', username: 'u$er', serverName: "lab/it's/1", tool: 'echo;ls', args: hostile });
    assert.ok(line.startsWith('mqtt-mcp call --broker mqtt://h:1883 --username '));
    const argv = sh(line);
    assert.deepEqual(argv, ['--broker', 'mqtt://h:1883', '--username', 'u$er', '--server', "lab/it's/1", '--tool', 'echo;ls', '--args', JSON.stringify(hostile)]);
  });
});

describe('call outcomes', () => {
  const schema = { type: 'object', properties: { level: { type: 'number' } }, required: ['level'] };

  it('checks structuredContent against the outputSchema', () => {
    const pass = resultOutcome({ content: [], structuredContent: { level: 3 } }, { outputSchema: schema as never }, 10);
    assert.equal(pass.kind === 'result' && pass.outputCheck?.ok, true);
    const fail = resultOutcome({ content: [], structuredContent: { level: 'high' } }, { outputSchema: schema as never }, 10);
    assert.equal(fail.kind === 'result' && fail.outputCheck?.ok, false);
    const missing = resultOutcome({ content: [{ type: 'text', text: 'x' }] }, { outputSchema: schema as never }, 10);
    assert.equal(missing.kind === 'result' && missing.outputCheck?.ok, false);
    const none = resultOutcome({ content: [], structuredContent: { a: 1 } }, {}, 10);
    assert.equal(none.kind === 'result' && none.outputCheck, undefined);
  });

  it('tells tool errors, JSON-RPC errors, failures and cancellations apart', () => {
    assert.equal(historyOutcome(resultOutcome({ content: [], isError: true }, {}, 1)), 'isError');
    const rpc = failureOutcome(new McpError(-32603, 'boom', { hint: 1 }), false, 2);
    assert.deepEqual(rpc, { kind: 'rpcError', durationMs: 2, code: -32603, message: 'boom', data: { hint: 1 } });
    assert.equal(failureOutcome(new Error('socket closed'), false, 1).kind, 'failure');
    const rewrapped = failureOutcome(new Error('MCP error -32603: MCP error -32603: boom'), false, 1);
    assert.deepEqual(rewrapped, { kind: 'rpcError', durationMs: 1, code: -32603, message: 'boom' });
    assert.equal(failureOutcome(new Error('whatever the SDK says'), true, 1).kind, 'cancelled');
  });
});

describe('timeline row queue', () => {
  const row = (seq: number): TimelineRow => ({ seq, time: seq, kind: 'request', summary: `#${seq}` });

  it('hands out rows in order, at most max per batch', () => {
    const q = new RowQueue(100);
    for (let i = 1; i <= 25; i++) q.push(row(i));
    assert.deepEqual(q.take(10).map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(q.size, 15);
    assert.deepEqual(q.take(100).map((r) => r.seq)[0], 11);
    assert.equal(q.size, 0);
  });

  it('never holds more than the log capacity (the oldest would be evicted anyway)', () => {
    const q = new RowQueue(1000);
    for (let i = 1; i <= 100_000; i++) q.push(row(i));
    assert.equal(q.size, 1000);
    assert.equal(q.take(1)[0]?.seq, 99_001);
    q.setCapacity(10);
    assert.equal(q.size, 10);
    assert.equal(q.take(1)[0]?.seq, 99_991);
  });

  it('projects events to rows without payloads and cuts long summaries', () => {
    const r = toRow({ seq: 1, time: 2, kind: 'response', summary: 'x'.repeat(1000), payload: { secret: 1 }, userProperties: { a: 'b' }, latencyMs: 0 });
    assert.equal(r.summary.length, MAX_ROW_SUMMARY + 1);
    assert.equal('payload' in r, false);
    assert.equal(r.latencyMs, 0);
  });

  it('names the tool, prompt or resource of a request in its summary', () => {
    const call = toRow({ seq: 1, time: 0, kind: 'request', summary: '→ tools/call #3', payload: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'set_target', arguments: {} } } });
    assert.equal(call.summary, '→ tools/call #3 set_target');
    const read = toRow({ seq: 2, time: 0, kind: 'request', summary: '→ resources/read #4', payload: { params: { uri: 'device://x' } } });
    assert.equal(read.summary, '→ resources/read #4 device://x');
    assert.equal(toRow({ seq: 3, time: 0, kind: 'response', summary: '← result #3', payload: { result: { name: 'n' } } }).summary, '← result #3');
  });
});

// ------------------------------------------------------------------ the WebviewHost class, on a fake webview

class FakeWebview implements WebviewEndpoint {
  readonly posted: unknown[] = [];
  private listeners = new Set<(m: unknown) => unknown>();
  postMessage(message: unknown): PromiseLike<boolean> {
    this.posted.push(message);
    return Promise.resolve(true);
  }
  onDidReceiveMessage(listener: (m: unknown) => unknown): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  /** What the page would send; resolves once the host's handling of it has settled. */
  async send(raw: unknown): Promise<void> {
    for (const l of this.listeners) l(raw);
    await new Promise((r) => setImmediate(r));
  }
}

type PageMessage = { type: 'ready' } | { type: 'ask'; seq: number } | { type: 'boom' };
type HostMessage = { type: 'answer'; seq: number } | { type: 'state'; n: number } | { type: 'news'; n: number };

const checkPage = (raw: unknown): Checked<PageMessage> => {
  const m = raw as { type?: unknown; seq?: unknown };
  if (m?.type === 'ready' || m?.type === 'boom') return { ok: true, message: { type: m.type } };
  if (m?.type === 'ask' && Number.isSafeInteger(m.seq)) return { ok: true, message: { type: 'ask', seq: m.seq as number } };
  return { ok: false, reason: 'not a page message' };
};

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...nullLogger, lines, warn: (m) => lines.push(`warn ${m}`), error: (m, e) => lines.push(`error ${m}: ${(e as Error).message}`) };
}

function makeHost(beforeReady: BeforeReady, onReady?: (host: WebviewHost<PageMessage, HostMessage>) => void) {
  const webview = new FakeWebview();
  const log = recordingLog();
  const handled: PageMessage[] = [];
  const host: WebviewHost<PageMessage, HostMessage> = new WebviewHost<PageMessage, HostMessage>({
    label: 'test view',
    webview,
    check: checkPage,
    handle: (m) => {
      handled.push(m);
      if (m.type === 'boom') throw new Error('handler broke');
      return { type: 'answer', seq: m.seq };
    },
    onReady: onReady && (() => onReady(host)),
    beforeReady,
    log,
  });
  return { webview, log, handled, host };
}

describe('WebviewHost', () => {
  it('queues what is posted before ready and delivers it in order after the restored state', async () => {
    const { webview, host } = makeHost('queue', (h) => h.post({ type: 'state', n: 0 }));
    host.post({ type: 'news', n: 1 });
    host.post({ type: 'news', n: 2 });
    assert.deepEqual(webview.posted, []);
    await webview.send({ type: 'ready' });
    assert.deepEqual(webview.posted, [{ type: 'state', n: 0 }, { type: 'news', n: 1 }, { type: 'news', n: 2 }]);
    host.post({ type: 'news', n: 3 });
    assert.deepEqual(webview.posted.at(-1), { type: 'news', n: 3 });
  });

  it('in restore mode keeps nothing before ready and restores the whole state on every ready', async () => {
    let restores = 0;
    const { webview, host } = makeHost('restore', (h) => h.post({ type: 'state', n: ++restores }));
    host.post({ type: 'news', n: 1 });
    await webview.send({ type: 'ready' });
    assert.deepEqual(webview.posted, [{ type: 'state', n: 1 }]);
    host.unready(); // the view was hidden and its page torn down
    host.post({ type: 'news', n: 2 });
    await webview.send({ type: 'ready' });
    assert.deepEqual(webview.posted, [{ type: 'state', n: 1 }, { type: 'state', n: 2 }]);
  });

  it('answers a request with the handler\'s typed reply', async () => {
    const { webview, handled } = makeHost('restore');
    await webview.send({ type: 'ready' });
    await webview.send({ type: 'ask', seq: 7 });
    assert.deepEqual(handled, [{ type: 'ask', seq: 7 }]);
    assert.deepEqual(webview.posted, [{ type: 'answer', seq: 7 }]);
  });

  it('drops malformed messages with a logged reason, and logs a failing handler without stopping', async () => {
    const { webview, log, handled } = makeHost('restore');
    await webview.send({ type: 'ready' });
    await webview.send({ type: 'ask', seq: 'x' });
    await webview.send({ type: 'launchMissiles' });
    await webview.send({ type: 'boom' });
    await webview.send({ type: 'ask', seq: 1 });
    assert.deepEqual(handled.map((m) => m.type), ['boom', 'ask']);
    assert.deepEqual(log.lines, [
      'warn test view: ignored a malformed message from the webview: not a page message',
      'warn test view: ignored a malformed message from the webview: not a page message',
      'error test view: boom failed: handler broke',
    ]);
    assert.deepEqual(webview.posted, [{ type: 'answer', seq: 1 }]);
  });

  it('bounds the queue of a page that never gets ready', () => {
    const { webview, host, log } = makeHost('queue');
    for (let n = 0; n < MAX_QUEUED_MESSAGES + 5; n++) host.post({ type: 'news', n });
    assert.equal(webview.posted.length, 0);
    assert.equal(log.lines.length, 1, 'one warning, not one per message');
  });

  it('on dispose removes its listener, drops the queue and posts nothing more', async () => {
    const { webview, host, handled } = makeHost('queue');
    host.post({ type: 'news', n: 1 });
    assert.equal(webview.listenerCount, 1);
    host.dispose();
    assert.equal(webview.listenerCount, 0);
    host.post({ type: 'news', n: 2 });
    await webview.send({ type: 'ready' });
    assert.deepEqual(webview.posted, []);
    assert.deepEqual(handled, []);
  });
});

describe('conformance report message checks', () => {
  it('accepts the protocol, copies only known fields, and rejects the rest', () => {
    for (const type of ['ready', 'rerun', 'copyMarkdown', 'exportJson']) assert.deepEqual(checkConformanceMessage({ type, extra: 1 }), { ok: true, message: { type } });
    assert.deepEqual(checkConformanceMessage({ type: 'openSpec', url: 'https://example.org/spec#3', x: 1 }), { ok: true, message: { type: 'openSpec', url: 'https://example.org/spec#3' } });
    for (const bad of [null, 'ready', {}, { type: 'openSpec' }, { type: 'openSpec', url: '' }, { type: 'openSpec', url: 'x'.repeat(9000) }, { type: 'openSpec', url: 3 }, { type: 'eval' }]) {
      const r = checkConformanceMessage(bad);
      assert.equal(r.ok, false, JSON.stringify(bad)?.slice(0, 60));
      assert.ok(!r.ok && r.reason.length > 0);
    }
  });
});

describe('device request message checks', () => {
  it('accepts the answers, copies only known fields, and rejects the rest', () => {
    for (const type of ['ready', 'decline', 'cancel']) assert.deepEqual(checkDeviceRequestMessage({ type, extra: 1 }), { ok: true, message: { type } });
    assert.deepEqual(checkDeviceRequestMessage({ type: 'accept', values: { reason: 'x' }, x: 1 }), { ok: true, message: { type: 'accept', values: { reason: 'x' } } });
    for (const bad of [null, {}, { type: 'accept' }, { type: 'accept', values: [1] }, { type: 'accept', values: { big: 'x'.repeat(MAX_ARGUMENTS_BYTES + 1) } }, { type: 'approveAll' }]) {
      const r = checkDeviceRequestMessage(bad);
      assert.equal(r.ok, false, JSON.stringify(bad)?.slice(0, 60));
      assert.ok(!r.ok && /values|type/.test(r.reason), r.ok ? '' : r.reason);
    }
  });
});
