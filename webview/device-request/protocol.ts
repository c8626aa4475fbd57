// Messages between a "Device request" panel (a device asking the user something) and its webview. Both
// sides import this file; the host checks what the webview sends (checkDeviceRequestMessage in
// src/extension/webviews/message-guards.ts). Everything shown comes from the device: plain text only.
import type { ObjectField, ValidationIssue } from '../../src/core/forms/types.js';

export interface RequestOrigin {
  broker: string;
  serverName: string;
  serverId: string;
}

export type DeviceRequestView =
  /** elicitation/create: the device's message and a form built from its requested schema. */
  | { kind: 'elicit'; message: string; model: ObjectField; values: Record<string, unknown> }
  /** sampling/createMessage: what the device would send to a model, for the user to approve. */
  | { kind: 'sample'; systemPrompt?: string; maxTokens: number; messages: { role: string; text: string }[]; notes: string[] };

export type DeviceRequestToWebview =
  | { type: 'show'; origin: RequestOrigin; view: DeviceRequestView }
  | { type: 'validation'; issues: ValidationIssue[] };

export type DeviceRequestFromWebview =
  | { type: 'ready' }
  /** Elicitation: the values the user filled in (checked again by the host). Sampling: approval. */
  | { type: 'accept'; values: Record<string, unknown> }
  | { type: 'decline' }
  | { type: 'cancel' };
