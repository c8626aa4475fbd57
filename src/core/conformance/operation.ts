// Operation checks (spec §8 items 15, 16): requests on the RPC topic answered within the spec's timeouts with
// results the MCP SDK schemas accept, and JSON-RPC's "method not found" for what the server does not do.
import {
  CallToolResultSchema,
  ListPromptsResultSchema,
  ListResourcesResultSchema,
  ListToolsResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { isObject } from '../protocol/presence.js';
import { type CheckContext, type SessionUnderTest, describeAnswer, ms, preview, seconds } from './context.js';
import { schemaProblems } from './schemas.js';

/** A method no server implements; the prefix says who asked, should it show up in a device's log. */
export const UNKNOWN_METHOD = 'mqtt-mcp-check/no-such-method';

export async function checkOperation(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  await checkPing(ctx, session);
  await checkList(ctx, session, 'operation.tools-list', 'tools', 'tools/list', ListToolsResultSchema);
  await checkList(ctx, session, 'operation.resources-list', 'resources', 'resources/list', ListResourcesResultSchema);
  await checkList(ctx, session, 'operation.prompts-list', 'prompts', 'prompts/list', ListPromptsResultSchema);
  await checkToolCall(ctx, session);
  await checkUnknownMethod(ctx, session);
}

function call(session: SessionUnderTest, method: string, params: Record<string, unknown> | undefined, timeoutMs: number): ReturnType<SessionUnderTest['probe']['call']> {
  return session.probe.call(session.rpcTopic, session.serverId, method, params, timeoutMs);
}

async function checkPing(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const { pingMs } = ctx.timeouts;
  const expected = `empty result {} within ${seconds(pingMs)}`;
  const { answer } = await call(session, 'ping', undefined, pingMs);
  if (!answer) return ctx.record('operation.ping', 'fail', expected, `no answer within ${seconds(pingMs)}`, { answered: false });
  const { message } = answer;
  if ('error' in message) return ctx.record('operation.ping', 'fail', expected, `answered with ${describeAnswer(message)}`, { answered: false });
  const result = message.result;
  if (isObject(result) && Object.keys(result).length === 0) return ctx.record('operation.ping', 'pass', expected, `{} after ${ms(answer.elapsedMs)}`, { answered: true });
  const pong = isObject(result) && result.pong === true && Object.keys(result).length === 1;
  ctx.record('operation.ping', 'warn', expected,
    pong
      ? '{"pong":true} (EMQX TypeScript SDK style): clients must accept any result; the TS SDK client is the only one that needs it'
      : `non-empty result ${preview(result, 80)}: clients must accept any result`, { answered: true });
}

async function checkList(
  ctx: CheckContext,
  session: SessionUnderTest,
  id: string,
  capability: string,
  method: string,
  schema: Parameters<typeof schemaProblems>[0],
): Promise<void> {
  if (!isObject(session.capabilities[capability])) return ctx.skip(id, `the server does not advertise the ${capability} capability`);
  const { listMs } = ctx.timeouts;
  const expected = `a valid ${method} result within ${seconds(listMs)}`;
  const { answer } = await call(session, method, undefined, listMs);
  if (!answer) return ctx.record(id, 'fail', expected, `no answer within ${seconds(listMs)}`);
  if ('error' in answer.message) return ctx.record(id, 'fail', expected, `answered with ${describeAnswer(answer.message)} although ${capability} is advertised`);
  const problems = schemaProblems(schema, answer.message.result);
  if (problems) return ctx.record(id, 'fail', expected, `${problems}: ${preview(answer.message.result)}`);
  const items = isObject(answer.message.result) ? answer.message.result[capability] : undefined;
  ctx.record(id, 'pass', expected, `${Array.isArray(items) ? items.length : 0} ${capability} after ${ms(answer.elapsedMs)}`);
}

async function checkToolCall(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const request = ctx.options.call;
  if (!request) return ctx.skip('operation.tools-call', 'no tool named (--call TOOL [--args JSON])');
  const { callMs } = ctx.timeouts;
  const expected = `a valid CallToolResult for "${request.tool}" within ${seconds(callMs)}`;
  const { answer } = await call(session, 'tools/call', { name: request.tool, arguments: request.args ?? {} }, callMs);
  if (!answer) return ctx.record('operation.tools-call', 'fail', expected, `no answer within ${seconds(callMs)}`);
  if ('error' in answer.message) return ctx.record('operation.tools-call', 'fail', expected, `answered with ${describeAnswer(answer.message)}`);
  const result = answer.message.result;
  const problems = schemaProblems(CallToolResultSchema, result);
  if (problems) return ctx.record('operation.tools-call', 'fail', expected, `${problems}: ${preview(result)}`);
  // A tool reporting its own failure (isError) still answered correctly as far as the protocol goes.
  const toolError = isObject(result) && result.isError === true ? ' (the tool reported isError: true)' : '';
  ctx.record('operation.tools-call', 'pass', expected, `valid result after ${ms(answer.elapsedMs)}${toolError}`);
}

async function checkUnknownMethod(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const { pingMs } = ctx.timeouts;
  const expected = `error -32601 for "${UNKNOWN_METHOD}"`;
  const { answer } = await call(session, UNKNOWN_METHOD, undefined, pingMs);
  if (!answer)
    return ctx.record('operation.unknown-method', 'fail', expected, `no answer within ${seconds(pingMs)}: clients wait for their full timeout instead of learning the method is missing`);
  const { message } = answer;
  const code = isObject(message.error) ? message.error.code : undefined;
  if (code === -32601) return ctx.record('operation.unknown-method', 'pass', expected, describeAnswer(message));
  ctx.record('operation.unknown-method', 'fail', expected,
    'error' in message
      ? `${describeAnswer(message)}: clients that probe optional methods cannot tell "not implemented" from a real failure`
      : `a result for a method that does not exist: ${preview(message.result, 80)}`);
}
