// Carries out a function's `publish` binding: render the command from the validated arguments, publish it
// to the device, and, when the model asks for one, wait for the device's confirmation (a matching message on
// a topic, or an MQTT 5 reply echoing the command's correlation data) for at most timeoutMs.
import { randomBytes } from 'node:crypto';
import { evaluateExpression, renderTemplate, resolveValue, type ExpressionScope } from '../device/expression.js';
import type { ActuationOutcome, Actuator } from '../device/actuation.js';
import type { ConfirmModel, FunctionModel, PublishModel } from '../device/model.js';
import { fillPlaceholders, publishTopicProblem } from '../device/topic-binding.js';
import { errorMessage } from '../util/logger.js';
import type { BindingContext } from './binding-context.js';
import type { DeviceMessage } from './device-link.js';
import { decodeReceived, MessageDecodeError, preview, type DecodedMessage } from './received.js';
import { encodeSparkplug, type SparkplugCommandMetric } from './sparkplug.js';

export const DEFAULT_CONFIRM_TIMEOUT_MS = 5000;

interface Command {
  topic: string;
  body: string | Uint8Array;
  /** What the result and errors show of the body. */
  shown: string;
}

/** The runtime needs its actuator when it is built, and the actuator needs the runtime: attach() joins them. */
export class PublishActuator {
  private context: BindingContext | undefined;

  constructor(private readonly replyTopicRoot: string) {}

  attach(context: BindingContext): void {
    this.context = context;
  }

  readonly act: Actuator = async (fn, args, signal) => {
    const context = this.context;
    if (!context || !fn.publish) return { ok: false, message: `${fn.name} cannot reach the device: the proxy is not running` };
    const scope = context.runtime.scope(args);
    let command: Command;
    try {
      command = renderCommand(fn.publish, args, scope, context.instance);
    } catch (e) {
      return { ok: false, message: `${fn.name}: could not build the command: ${errorMessage(e)}` };
    }
    const confirm = fn.publish.confirm;
    if (!confirm) return this.publishOnly(context, fn, command);
    return this.publishAndConfirm(context, fn, fn.publish, confirm, command, scope, signal);
  };

  private async publishOnly(context: BindingContext, fn: FunctionModel, command: Command): Promise<ActuationOutcome> {
    try {
      await context.link.publish(command.topic, command.body, publishOptions(fn.publish!));
    } catch (e) {
      return { ok: false, message: `${fn.name}: could not publish to ${command.topic}: ${errorMessage(e)}` };
    }
    return { ok: true, summary: `Published ${command.shown} to ${command.topic}. The device sends no confirmation, so whether it acted is not known.` };
  }

  private async publishAndConfirm(
    context: BindingContext, fn: FunctionModel, publish: PublishModel, confirm: ConfirmModel, command: Command, scope: ExpressionScope, signal: AbortSignal,
  ): Promise<ActuationOutcome> {
    const timeoutMs = confirm.timeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
    const correlationData = confirm.correlate ? randomBytes(16) : undefined;
    const waitTopic = confirm.topic
      ? fillPlaceholders(confirm.topic, context.instance)
      : `${this.replyTopicRoot}/${context.instance.id}/${fn.name}`;
    let settle: (message: DecodedMessage) => void = () => undefined;
    const confirmed = new Promise<DecodedMessage>((resolve) => (settle = resolve));
    const accept = (m: DeviceMessage): void => {
      // Retained state was there before the command, so it cannot confirm it.
      if (m.retain) return;
      if (correlationData && !(m.correlationData && correlationData.equals(m.correlationData))) return;
      let decoded: DecodedMessage;
      try {
        decoded = decodeReceived(m.topic, m.payload, context.definitions);
      } catch (e) {
        if (e instanceof MessageDecodeError) return context.log.warn(`${fn.name}: ignoring a message on ${m.topic}: ${e.message}`);
        throw e;
      }
      if (confirm.when && !evaluateExpression(confirm.when, { ...scope, attributes: context.runtime.getAttributes(), payload: decoded.payload, topic: m.topic })) return;
      settle(decoded);
    };
    let stopListening: () => Promise<void>;
    try {
      // Listen before publishing: a fast device can answer before a late subscription would exist.
      stopListening = await context.link.listen(waitTopic, accept);
    } catch (e) {
      return { ok: false, message: `${fn.name}: could not listen for the confirmation on ${waitTopic}: ${errorMessage(e)}` };
    }
    try {
      await context.link.publish(command.topic, command.body, {
        ...publishOptions(publish),
        ...(correlationData ? { responseTopic: waitTopic, correlationData } : {}),
      });
      const outcome = await Promise.race([confirmed, expiry(timeoutMs, signal)]);
      if (outcome === 'timeout') {
        const expected = confirm.when ? ` matching "${confirm.when}"` : correlationData ? ' carrying the command\'s correlation data' : '';
        return {
          ok: false,
          message: `No confirmation from the device within ${timeoutMs} ms: published ${command.shown} to ${command.topic}, but nothing${expected} arrived on ${waitTopic}. The command may or may not have taken effect.`,
        };
      }
      if (outcome === 'cancelled') return { ok: false, message: `${fn.name} was cancelled while waiting for the device's confirmation on ${waitTopic}` };
      return {
        ok: true,
        summary: `Published ${command.shown} to ${command.topic}; the device confirmed on ${outcome.topic}:`,
        received: { topic: outcome.topic, payload: outcome.payload, text: outcome.text },
      };
    } catch (e) {
      return { ok: false, message: `${fn.name}: could not publish to ${command.topic}: ${errorMessage(e)}` };
    } finally {
      await stopListening().catch(() => undefined);
    }
  }
}

function publishOptions(publish: PublishModel): { qos: 0 | 1 | 2; retain: boolean } {
  return { qos: publish.qos ?? 1, retain: publish.retain ?? false };
}

function expiry(timeoutMs: number, signal: AbortSignal): Promise<'timeout' | 'cancelled'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('cancelled');
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve('timeout');
    }, timeoutMs);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve('cancelled');
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function renderCommand(publish: PublishModel, args: Record<string, unknown>, scope: ExpressionScope, instance: { n: number; id: string }): Command {
  const topic = renderTemplate(fillPlaceholders(publish.topic, instance), scope);
  const problem = publishTopicProblem(topic);
  if (problem) throw new Error(`the command topic "${topic}" ${problem}`);
  const resolved = publish.payload === undefined ? args : resolveValue(publish.payload, scope);
  if (publish.format === 'sparkplug') {
    const metrics = (resolved as { metrics?: SparkplugCommandMetric[] } | undefined)?.metrics;
    if (!Array.isArray(metrics)) throw new Error('a Sparkplug B payload needs {"metrics": [...]}');
    return { topic, body: encodeSparkplug(metrics), shown: `Sparkplug B metrics ${preview(JSON.stringify(metrics))}` };
  }
  const asText = publish.format === 'text' || (publish.format === undefined && typeof resolved === 'string');
  const body = asText ? String(resolved ?? '') : JSON.stringify(resolved ?? null);
  return { topic, body, shown: `"${preview(body)}"` };
}
