// Runs one tools/call against a device: argument checks, error cases, simulated failure, latency with
// progress and cancellation, effects, and the result built from the model's `returns`.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ErrorCode, McpError, type CallToolResult, type ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { renderTemplate, resolveValue, type ExpressionScope } from './expression.js';
import type { FunctionModel } from './model.js';
import type { Actuator } from './actuation.js';
import type { DeviceRuntime } from './runtime.js';
import { formatPath, pointerToPath } from './schema-check.js';
import { askClient, type ClientAsks } from './client-asks.js';

export interface CallContext {
  /** Aborted when the client cancels the request (or its timeout expires). */
  signal: AbortSignal;
  /** Present when the caller asked for progress. */
  sendProgress?: (progress: number, total: number, message?: string) => Promise<void>;
  /** What the calling client can be asked (functions with `elicit` or `sample`). */
  asks?: ClientAsks;
}

const DEFAULT_PROGRESS_STEPS = 10;

// Own instance: argument schemas get defaults applied, which the model check must not do.
const argumentAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
addFormats(argumentAjv);
const argumentValidators = new WeakMap<FunctionModel, ValidateFunction>();

function argumentValidator(fn: FunctionModel): ValidateFunction {
  let validate = argumentValidators.get(fn);
  if (!validate) {
    const schema = fn.parameters ?? { type: 'object' };
    validate = argumentAjv.compile(schema);
    argumentAjv.removeSchema(schema); // the WeakMap holds the validator for as long as the model lives
    argumentValidators.set(fn, validate);
  }
  return validate;
}

const errorResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

class DeviceCallCancelled extends Error {}

export async function callDeviceFunction(
  runtime: DeviceRuntime, name: string, rawArgs: Record<string, unknown> | undefined, context: CallContext,
): Promise<CallToolResult> {
  const fn = runtime.availableFunctions().find((f) => f.name === name);
  if (!fn) {
    if (runtime.model.functions.some((f) => f.name === name)) return errorResult(`${name} is not available in the device's current state.`);
    throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
  }
  const args = structuredClone(rawArgs ?? {});
  const validate = argumentValidator(fn);
  if (!validate(args)) {
    const problems = (validate.errors ?? []).map((e) => `${formatPath(pointerToPath(e.instancePath)) || 'arguments'}: ${e.message}`);
    return errorResult(`Invalid arguments for ${name}: ${problems.join('; ')}`);
  }
  for (const errorCase of fn.errors ?? []) {
    if (!runtime.holds(errorCase.when, args)) continue;
    const message = renderTemplate(errorCase.message, runtime.scope(args));
    if (errorCase.code !== undefined) throw new McpError(errorCase.code, message, resolveValue(errorCase.data, runtime.scope(args)));
    return errorResult(message);
  }

  let asked: Extra = {};
  if (fn.elicit || fn.sample) {
    const outcome = await askClient(fn, runtime.scope(args), context.asks ?? {}, context.signal);
    if (!outcome.ok) return outcome.result;
    asked = outcome.scope;
  }
  if (fn.publish && runtime.actuator) return actOnDevice(runtime, runtime.actuator, fn, args, context, asked);

  // A simulated failure is decided up front so it changes nothing, but it still takes its time.
  const fails = runtime.random() < (fn.failureRate ?? 0);
  if (!fails) {
    if (fn.cancels?.length) runtime.cancelCalls(fn.cancels, `cancelled by ${fn.name}`);
    const problem = tryApply(runtime, fn.onStart?.set, args);
    if (problem) return errorResult(problem);
  }

  const cancelledByDevice = new AbortController();
  const untrack = runtime.trackCall({ functionName: fn.name, cancel: (reason) => cancelledByDevice.abort(reason) });
  try {
    await simulateDuration(runtime, fn, args, AbortSignal.any([context.signal, cancelledByDevice.signal]), context);
  } catch (error) {
    if (!(error instanceof DeviceCallCancelled)) throw error;
    if (!fails) tryApply(runtime, fn.onCancel?.set, args);
    // A client that cancelled gets no response (the SDK drops it); anything else learns why.
    if (context.signal.aborted) throw new McpError(ErrorCode.RequestTimeout, `${fn.name} was cancelled`);
    return errorResult(`${fn.name} stopped: ${String(cancelledByDevice.signal.reason)}.`);
  } finally {
    untrack();
  }

  if (fails) return errorResult(renderTemplate(fn.failureMessage ?? `${fn.name} failed (simulated device failure). Try again.`, runtime.scope(args)));
  if (runtime.isGenerated(fn)) {
    const problem = tryAssign(() => runtime.setAttribute(String(args.name), args.value));
    if (problem) return errorResult(problem);
  } else {
    const problem = tryApply(runtime, fn.set, args, asked);
    if (problem) return errorResult(problem);
  }
  if (asked.sampled && !fn.returns) return { content: [{ type: 'text', text: asked.sampled.text }] };
  return buildResult(fn, { ...runtime.scope(args), ...asked });
}

/** What the client answered (elicit, sample), added to the scope of `set` and `returns`. */
type Extra = Pick<ExpressionScope, 'elicited' | 'sampled'>;

async function actOnDevice(
  runtime: DeviceRuntime, actuator: Actuator, fn: FunctionModel, args: Record<string, unknown>, context: CallContext, asked: Extra,
): Promise<CallToolResult> {
  if (fn.cancels?.length) runtime.cancelCalls(fn.cancels, `cancelled by ${fn.name}`);
  const problem = tryApply(runtime, fn.onStart?.set, args);
  if (problem) return errorResult(problem);
  const outcome = await actuator(fn, args, context.signal);
  if (!outcome.ok) {
    tryApply(runtime, fn.onCancel?.set, args);
    return errorResult(outcome.message);
  }
  const received = outcome.received ? { payload: outcome.received.payload, topic: outcome.received.topic } : undefined;
  const applied = tryAssign(() => runtime.applyAssignments(fn.set, { ...runtime.scope(args, received), ...asked }));
  if (applied) return errorResult(applied);
  const result = fn.returns ? buildResult(fn, { ...runtime.scope(args, received), ...asked }) : { content: [{ type: 'text' as const, text: outcome.summary }] };
  // The confirmation itself always goes back as its own block: the agent decides what it means.
  if (outcome.received) result.content.push({ type: 'text', text: outcome.received.text });
  return result;
}

function tryApply(runtime: DeviceRuntime, assignments: Record<string, unknown> | undefined, args: Record<string, unknown>, extra: Extra = {}): string | undefined {
  return tryAssign(() => runtime.applyAssignments(assignments, { ...runtime.scope(args), ...extra }));
}

/** Values computed from arguments can still miss an attribute's range; that is the caller's mistake, not a crash. */
function tryAssign(assign: () => void): string | undefined {
  try {
    assign();
    return undefined;
  } catch (error) {
    if (error instanceof RangeError) return `Rejected by the device: ${error.message}`;
    throw error;
  }
}

async function simulateDuration(
  runtime: DeviceRuntime, fn: FunctionModel, args: Record<string, unknown>, signal: AbortSignal, context: CallContext,
): Promise<void> {
  const latency = fn.latencyMs;
  if (latency === undefined) return;
  const totalMs = typeof latency === 'number' ? latency
    : typeof latency === 'string' ? Math.max(0, Number(resolveValue(latency, runtime.scope(args))) || 0)
      : latency.min + runtime.random() * (latency.max - latency.min);
  const steps = fn.progress ? fn.progress.steps ?? DEFAULT_PROGRESS_STEPS : 1;
  for (let step = 1; step <= steps; step++) {
    await sleep(totalMs / steps, signal);
    if (!fn.progress) continue;
    const percent = Math.round((step / steps) * 100);
    if (fn.progress.attribute) runtime.setAttribute(fn.progress.attribute, percent);
    const message = fn.progress.message
      ? renderTemplate(fn.progress.message, { ...runtime.scope(args), progress: { percent, step, steps } })
      : undefined;
    await context.sendProgress?.(step, steps, message);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DeviceCallCancelled());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DeviceCallCancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function buildResult(fn: FunctionModel, scope: ExpressionScope): CallToolResult {
  const returns = fn.returns ?? {};
  const content: ContentBlock[] = [];
  if (returns.text !== undefined) content.push({ type: 'text', text: renderTemplate(returns.text, scope) });
  for (const item of returns.content ?? []) content.push(resolveValue(item, scope) as ContentBlock);
  const structured = returns.structured === undefined ? undefined : (resolveValue(returns.structured, scope) as Record<string, unknown>);
  // Clients that ignore structuredContent still get the data, as MCP recommends.
  if (structured && content.length === 0) content.push({ type: 'text', text: JSON.stringify(structured, null, 2) });
  if (content.length === 0) content.push({ type: 'text', text: `${fn.name}: done.` });
  return structured ? { content, structuredContent: structured } : { content };
}
