// Fuzzer for device answers to tools/call (fixed seed, bounded count): every case either resolves with a
// usable result, fails its own call with a reason, or (when it answers no request of ours) leaves the call to
// its timeout. Nothing crashes, nothing hangs past its timeout, and the session keeps working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { classifyRequestError } from '../../src/core/transport/local-errors.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { deepJson, startScriptedDevice, type ScriptedDevice } from './scripted-device.js';
import { recordFigures, seededRandom } from './figures.js';

const SEED = 14;
const CASES = 120;
const CALL_TIMEOUT_MS = 5000;
const uid = (): string => randomBytes(4).toString('hex');

type Expect = 'result' | 'malformed' | 'server' | 'timeout';
type Mutation = { name: string; expect: Expect; answer: (id: number, r: () => number) => string | undefined };
const j = (v: unknown): string => JSON.stringify(v);
const text = { content: [{ type: 'text', text: 'ok' }] };

const MUTATIONS: Mutation[] = [
  { name: 'valid', expect: 'result', answer: (id) => j({ jsonrpc: '2.0', id, result: text }) },
  { name: 'no jsonrpc member', expect: 'result', answer: (id) => j({ id, result: text }) },
  { name: 'extra member', expect: 'result', answer: (id) => j({ jsonrpc: '2.0', id, result: text, x: [1] }) },
  { name: 'result null', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, result: null }) },
  { name: 'result number', expect: 'malformed', answer: (id, r) => j({ jsonrpc: '2.0', id, result: Math.floor(r() * 1000) }) },
  { name: 'result string', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, result: 'ok' }) },
  { name: 'result array', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, result: [text] }) },
  { name: 'result and error', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, result: text, error: { code: 1, message: 'x' } }) },
  { name: 'error without message', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, error: { code: -32000 } }) },
  { name: 'error without code', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, error: { message: 'x' } }) },
  { name: 'error code not integer', expect: 'malformed', answer: (id) => j({ jsonrpc: '2.0', id, error: { code: 1.5, message: 'x' } }) },
  { name: 'error', expect: 'server', answer: (id) => j({ jsonrpc: '2.0', id, error: { code: -32602, message: 'bad args', data: { a: 1 } } }) },
  { name: 'deep result', expect: 'malformed', answer: (id, r) => `{"jsonrpc":"2.0","id":${id},"result":{"content":[],"x":${deepJson(129 + Math.floor(r() * 20_000))}}}` },
  { name: 'deep but allowed', expect: 'result', answer: (id) => `{"jsonrpc":"2.0","id":${id},"result":{"content":[],"structuredContent":{"x":${deepJson(100)}}}}` },
  { name: 'id as string', expect: 'timeout', answer: (id) => j({ jsonrpc: '2.0', id: String(id), result: text }) },
  { name: 'unknown id', expect: 'timeout', answer: (id) => j({ jsonrpc: '2.0', id: id + 1_000_000, result: text }) },
  { name: 'null id', expect: 'timeout', answer: () => j({ jsonrpc: '2.0', id: null, result: text }) },
  { name: 'not JSON', expect: 'timeout', answer: (_id, r) => `{"jsonrpc":"2.0","id":${Math.floor(r() * 10)},"res` },
  { name: 'binary garbage', expect: 'timeout', answer: (_id, r) => String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(r() * 256))) },
  { name: 'batch', expect: 'timeout', answer: (id) => j([{ jsonrpc: '2.0', id, result: text }]) },
  { name: 'silence', expect: 'timeout', answer: () => undefined },
];

for (const kind of brokerKinds()) {
  describe(`JSON-RPC answer fuzzer on ${kind} (seed ${SEED}, ${CASES} cases)`, () => {
    let broker: TestBroker;
    let device: ScriptedDevice;
    let client: McpMqttClient;
    const name = `fuzz${uid()}/dev`;
    const random = seededRandom(SEED);
    const plan = Array.from({ length: CASES }, () => MUTATIONS[Math.floor(random() * MUTATIONS.length)] as Mutation);

    before(async () => {
      broker = await startBroker(kind);
      device = await startScriptedDevice({
        url: broker.url,
        serverId: `fz-${uid()}`,
        serverName: name,
        onCall: (c) => (c.tool === 'case' ? plan[c.args.n as number]?.answer(c.id as number, random) : j({ jsonrpc: '2.0', id: c.id, result: text })),
      });
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false });
      await client.connect();
    });
    after(async () => {
      await client.close();
      await device.stop();
      await broker.stop();
    });

    it('gets the expected outcome for every case, in bounded time, and the session survives', async () => {
      const session = await client.session(name);
      const outcomes = await Promise.all(
        plan.map(async (m, n) => {
          const started = Date.now();
          const got: Expect = await session.callTool('case', { n }, { timeoutMs: CALL_TIMEOUT_MS }).then(
            () => 'result' as const,
            (e: unknown) => {
              const k = classifyRequestError(e).kind;
              return k === 'malformed' || k === 'server' || k === 'timeout' ? k : (assert.fail(`case ${n} (${m.name}): ${String(e)}`) as never);
            },
          );
          return { m, n, got, ms: Date.now() - started };
        }),
      );
      for (const o of outcomes) assert.equal(o.got, o.m.expect, `case ${o.n} (${o.m.name})`);
      // Still usable afterwards.
      assert.equal(session.closed, false);
      await session.callTool('after', {}, { timeoutMs: 10_000 });
      const answered = outcomes.filter((o) => o.m.expect !== 'timeout');
      recordFigures(`jsonrpc-fuzz-${kind}`, {
        seed: SEED,
        cases: CASES,
        survived: outcomes.filter((o) => o.got === o.m.expect).length,
        lost: outcomes.filter((o) => o.got !== o.m.expect).length,
        byOutcome: Object.fromEntries((['result', 'malformed', 'server', 'timeout'] as const).map((k) => [k, outcomes.filter((o) => o.got === k).length])),
        worstAnsweredMs: Math.max(...answered.map((o) => o.ms)),
      });
    });
  });
}
