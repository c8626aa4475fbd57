// Hostile and broken answers to pending requests (issue 14 D2, D7, the "1" vs 1 id): each fails its own call
// at once with a reason, or is ignored when it answers nothing of ours; the session stays usable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import type { ServerSession } from '../../src/core/client/session.js';
import { classifyRequestError, describeRequestError } from '../../src/core/transport/local-errors.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { waitUntil } from '../fixtures/raw-device.js';
import { deepJson, startScriptedDevice, type ScriptedDevice } from './scripted-device.js';

const uid = (): string => randomBytes(4).toString('hex');
const TEXT = (text: string): Record<string, unknown> => ({ content: [{ type: 'text', text }] });

for (const kind of brokerKinds()) {
  describe(`answers to pending requests on ${kind}`, () => {
    let broker: TestBroker;
    let device: ScriptedDevice;
    let client: McpMqttClient;
    let session: ServerSession;
    const name = `rel${uid()}/answers`;
    /** The raw answer each tool gets, by tool name; `id` is the request's own id. */
    const answers: Record<string, (id: string | number) => string | Record<string, unknown> | undefined> = {
      ok: (id) => ({ id, result: TEXT('fine') }),
      nullResult: (id) => ({ id, result: null }),
      stringResult: (id) => ({ id, result: 'done' }),
      arrayResult: (id) => ({ id, result: [1, 2] }),
      errorWithoutMessage: (id) => ({ id, error: { code: 5 } }),
      errorWithoutCode: (id) => ({ id, error: { message: 'broken' } }),
      extraMember: (id) => ({ id, result: TEXT('tolerated'), vendor: { x: 1 } }),
      deepStructured: (id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[],"structuredContent":{"v":${deepJson(20_000)}}}}`,
      silent: () => undefined,
    };

    before(async () => {
      broker = await startBroker(kind);
      device = await startScriptedDevice({ url: broker.url, serverId: `dev-${uid()}`, serverName: name, onCall: (c) => answers[c.tool]?.(c.id) });
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false });
      await client.connect();
      session = await client.session(name);
    });
    after(async () => {
      await client.close();
      await device.stop();
      await broker.stop();
    });

    // A long timeout: before the fix each of these waited for it and then read "Request timed out".
    const call = (tool: string, timeoutMs = 30_000): Promise<unknown> => session.callTool(tool, {}, { timeoutMs });

    for (const [tool, says] of [
      ['nullResult', /answer to tools\/call is unusable: "result" is null, not an object/],
      ['stringResult', /"result" is a string, not an object/],
      ['arrayResult', /"result" is an array, not an object/],
      ['errorWithoutMessage', /the error has no message/],
      ['errorWithoutCode', /JSON-RPC error without a numeric code/],
      ['deepStructured', /nested deeper than 128 levels/],
    ] as const) {
      it(`fails the call at once on ${tool}, saying what was wrong`, async () => {
        const started = Date.now();
        const error = await call(tool).then(() => assert.fail('resolved'), (e: unknown) => e);
        const failure = classifyRequestError(error);
        assert.equal(failure.kind, 'malformed', describeRequestError(error, name));
        assert.match(describeRequestError(error, name), says);
        assert.doesNotMatch(describeRequestError(error, name), /answered with error/);
        assert.ok(Date.now() - started < 30_000);
      });
    }

    it('tolerates extra top-level members in an answer (the SDK would drop it)', async () => {
      assert.deepEqual(((await call('extraMember')) as { content: unknown }).content, [{ type: 'text', text: 'tolerated' }]);
    });

    it('does not take a reply with id "1" as the answer to request 1', async () => {
      const pending = call('silent');
      await waitUntil(() => device.calls.some((c) => c.tool === 'silent'), 'the call to arrive');
      const { id } = device.calls.filter((c) => c.tool === 'silent').at(-1) as { id: string | number };
      assert.equal(typeof id, 'number');
      const [cid] = device.clientIds() as [string];
      await device.sendRaw(cid, JSON.stringify({ jsonrpc: '2.0', id: String(id), result: TEXT('wrong request') }));
      await device.sendRaw(cid, JSON.stringify({ jsonrpc: '2.0', id, result: TEXT('right request') }));
      assert.deepEqual(((await pending) as { content: unknown }).content, [{ type: 'text', text: 'right request' }]);
    });

    it('drops a notification nested too deep and keeps the session working', async () => {
      const [cid] = device.clientIds() as [string];
      await device.sendRaw(cid, `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${deepJson(20_000)}}}`);
      assert.deepEqual(((await call('ok')) as { content: unknown }).content, [{ type: 'text', text: 'fine' }]);
      assert.equal(session.closed, false);
    });

    it('words a local timeout as one, not as an error the device answered', async () => {
      const error = await call('silent', 300).then(() => assert.fail('resolved'), (e: unknown) => e);
      assert.equal(classifyRequestError(error).kind, 'timeout');
      assert.equal(describeRequestError(error, name), `no answer from ${name} within 300 ms (timed out here)`);
    });

    it('words a device that goes away mid-call as a lost session', async () => {
      const other = `rel${uid()}/leaving`;
      const leaving = await startScriptedDevice({ url: broker.url, serverId: `dev-${uid()}`, serverName: other });
      await waitUntil(() => client.registry.get(other)?.online === true, 'the second device');
      const s = await client.session(other);
      const pending = s.callTool('anything', {}, { timeoutMs: 30_000 }).then(() => assert.fail('resolved'), (e: unknown) => e);
      await waitUntil(() => leaving.calls.length === 1, 'the call to arrive');
      await leaving.stop();
      const error = await pending;
      assert.equal(classifyRequestError(error).kind, 'connection');
      assert.match(describeRequestError(error, other), /went offline/);
      assert.doesNotMatch(describeRequestError(error, other), /answered with error/);
    });
  });
}
