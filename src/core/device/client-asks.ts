// What a device function may ask of the client that called it, before it acts: a confirmation or form
// from the user (`elicit`, MCP elicitation/create) and an answer from the client's model (`sample`, MCP
// sampling/createMessage). A client that does not declare the capability, a user who says no and a model
// that is refused all end the call with a result saying so, and nothing on the device changes.
import { type CallToolResult, type CreateMessageRequest, type CreateMessageResult, type ElicitRequestFormParams, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { renderTemplate, type ExpressionScope } from './expression.js';
import type { FunctionModel } from './model.js';

/** What the session offers a call: each present only when the client declared the capability. */
export interface ClientAsks {
  elicit?: (params: ElicitRequestFormParams, signal: AbortSignal) => Promise<ElicitResult>;
  sample?: (params: CreateMessageRequest['params'], signal: AbortSignal) => Promise<CreateMessageResult>;
}

export type AskOutcome = { ok: true; scope: Pick<ExpressionScope, 'elicited' | 'sampled'> } | { ok: false; result: CallToolResult };

export const DEFAULT_SAMPLE_MAX_TOKENS = 300;
/** A confirmation without extra fields: the MCP form schema with no properties. */
const CONFIRMATION_SCHEMA = { type: 'object', properties: {} } as const;

const refused = (text: string): AskOutcome => ({ ok: false, result: { content: [{ type: 'text', text }], isError: true } });

// The SDK prefixes "MCP error -1: " once when the client throws and once more on the device's side.
const reason = (error: unknown): string => ((error as Error)?.message ?? String(error)).replace(/^(MCP error -?\d+: )+/, '');

/** Asks what `fn` needs, in order (the user, then the model); `scope` is where templates are rendered. */
export async function askClient(fn: FunctionModel, scope: ExpressionScope, asks: ClientAsks, signal: AbortSignal): Promise<AskOutcome> {
  const found: Pick<ExpressionScope, 'elicited' | 'sampled'> = {};
  if (fn.elicit) {
    if (!asks.elicit) return refused(`${fn.name} needs the user's confirmation, but this client does not support elicitation (it did not declare the capability). Nothing was done.`);
    let answer: ElicitResult;
    try {
      const requestedSchema = (fn.elicit.schema ?? CONFIRMATION_SCHEMA) as ElicitRequestFormParams['requestedSchema'];
      answer = await asks.elicit({ message: renderTemplate(fn.elicit.message, scope), requestedSchema }, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      return refused(`${fn.name}: asking the user failed (${reason(error)}). Nothing was done.`);
    }
    if (answer.action !== 'accept') return refused(`${fn.name} was not done: the user ${answer.action === 'decline' ? 'declined' : 'cancelled'} the confirmation.`);
    found.elicited = (answer.content ?? {}) as Record<string, unknown>;
  }
  if (fn.sample) {
    if (!asks.sample) return refused(`${fn.name} needs a language model, but this client does not support sampling (it did not declare the capability).`);
    let answer: CreateMessageResult;
    try {
      answer = await asks.sample({
        messages: [{ role: 'user', content: { type: 'text', text: renderTemplate(fn.sample.prompt, { ...scope, ...found }) } }],
        ...(fn.sample.systemPrompt ? { systemPrompt: fn.sample.systemPrompt } : {}),
        maxTokens: fn.sample.maxTokens ?? DEFAULT_SAMPLE_MAX_TOKENS,
      }, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      return refused(`${fn.name}: the client did not sample (${reason(error)}).`);
    }
    const content = Array.isArray(answer.content) ? answer.content : [answer.content];
    const text = content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    found.sampled = { text, model: answer.model };
  }
  return { ok: true, scope: found };
}
