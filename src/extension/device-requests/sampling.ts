// Sampling through the editor's language models: what the user is shown before approving, and the answer
// produced with vscode.lm once they did (they pick the model when there is more than one).
import * as vscode from 'vscode';
import type { CreateMessageRequest, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { DeviceRequestContext } from '../../core/client/device-requests.js';
import type { DeviceRequestView } from '../../../webview/device-request/protocol.js';

type Params = CreateMessageRequest['params'];
type Block = Params['messages'][number]['content'];

/** Text of a message's content; other blocks (images, audio, tool results) are named, never rendered. */
function textOf(content: Block | Block[]): string {
  const blocks = (Array.isArray(content) ? content : [content]) as { type: string; text?: string }[];
  return blocks.map((b) => (b.type === 'text' ? b.text ?? '' : `[${b.type} content, not sent]`)).join('\n');
}

export function sampleView(params: Params): DeviceRequestView {
  const notes: string[] = [];
  if (params.includeContext && params.includeContext !== 'none') notes.push(`The device asked to include context "${params.includeContext}"; none is sent.`);
  if (params.modelPreferences?.hints?.length) notes.push(`It prefers: ${params.modelPreferences.hints.map((h) => h.name).filter(Boolean).join(', ')}.`);
  return {
    kind: 'sample',
    ...(params.systemPrompt ? { systemPrompt: params.systemPrompt } : {}),
    maxTokens: params.maxTokens,
    messages: params.messages.map((m) => ({ role: m.role, text: textOf(m.content) })),
    notes,
  };
}

async function pickModel(hints: string[]): Promise<vscode.LanguageModelChat> {
  const models = await vscode.lm.selectChatModels();
  if (models.length === 0) throw new Error('no language model is available in the editor');
  if (models.length === 1) return models[0]!;
  const hinted = models.find((m) => hints.some((h) => m.id.includes(h) || m.name.includes(h)));
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: `${m.vendor} · ${m.id}`, picked: m === hinted, model: m })),
    { title: 'Which model answers the device?', placeHolder: 'Pick the language model for this sampling request', ignoreFocusOut: true },
  );
  if (!picked) throw new Error('the user picked no model');
  return picked.model;
}

/** The chosen model's answer; a system prompt goes first as a user message (the API has no system role). */
export async function answerWithModel(params: Params, context: DeviceRequestContext, justification: string): Promise<CreateMessageResult> {
  const model = await pickModel((params.modelPreferences?.hints ?? []).map((h) => h.name ?? '').filter(Boolean));
  const messages = [
    ...(params.systemPrompt ? [vscode.LanguageModelChatMessage.User(params.systemPrompt)] : []),
    ...params.messages.map((m) => (m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(textOf(m.content)) : vscode.LanguageModelChatMessage.User(textOf(m.content)))),
  ];
  const cancel = new vscode.CancellationTokenSource();
  const onAbort = (): void => cancel.cancel();
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await model.sendRequest(messages, { justification }, cancel.token);
    let text = '';
    for await (const chunk of response.text) text += chunk;
    return { role: 'assistant', content: { type: 'text', text }, model: model.id, stopReason: 'endTurn' };
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    cancel.dispose();
  }
}
