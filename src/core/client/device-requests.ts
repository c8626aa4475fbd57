// What a device may ask of its client (MCP's client features): elicitation, sampling and roots. The core
// declares a capability only for what the face (extension or CLI) can answer, so a device asking for
// anything else is told at once by its own SDK that this client does not support it, and every answer goes
// through the face's handler, which is where the user's consent is asked.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  type ElicitRequest,
  type ElicitResult,
  type Root,
} from '@modelcontextprotocol/sdk/types.js';

export interface DeviceRequestContext {
  serverName: string;
  serverId: string;
  /** Aborted when the device cancels the request or the session ends. */
  signal: AbortSignal;
}

export interface DeviceRequestHandlers {
  /** elicitation/create: answer accept (with content), decline or cancel. */
  elicit?: (params: ElicitRequest['params'], context: DeviceRequestContext) => Promise<ElicitResult>;
  /** sampling/createMessage: a model's answer, or throw DeviceRequestDeclined. */
  sample?: (params: CreateMessageRequest['params'], context: DeviceRequestContext) => Promise<CreateMessageResult>;
  /** roots/list: the roots this device may see (the user may allow none). */
  listRoots?: (context: DeviceRequestContext) => Promise<Root[]>;
}

/** Code of a request the user declined; MCP's sampling section uses -1 for "user rejected". */
export const USER_DECLINED_CODE = -1;

/** Thrown by a handler when the user says no: the device gets an error that says so. */
export class DeviceRequestDeclined extends McpError {
  constructor(what: string, reason = 'the user declined') {
    super(USER_DECLINED_CODE, `${what}: ${reason}`);
  }
}

/** The capabilities to declare for `handlers` (only what can be answered). */
export function deviceRequestCapabilities(handlers: DeviceRequestHandlers): ClientCapabilities {
  const caps: ClientCapabilities = {};
  if (handlers.elicit) caps.elicitation = {};
  if (handlers.sample) caps.sampling = {};
  if (handlers.listRoots) caps.roots = {};
  return caps;
}

/** Declares and installs the handlers on an SDK client; call before it connects (initialize). */
export function serveDeviceRequests(client: Client, handlers: DeviceRequestHandlers, server: { serverName: string; serverId: string }): void {
  client.registerCapabilities(deviceRequestCapabilities(handlers));
  const context = (signal: AbortSignal): DeviceRequestContext => ({ ...server, signal });
  // The face's own failures reach the device as one JSON-RPC error naming the request; its McpErrors as they are.
  const answering = <T>(what: string, answer: (signal: AbortSignal) => Promise<T>) => async (signal: AbortSignal): Promise<T> => {
    try {
      return await answer(signal);
    } catch (e) {
      throw e instanceof McpError ? e : new McpError(ErrorCode.InternalError, `${what} failed in the client: ${(e as Error)?.message ?? String(e)}`);
    }
  };
  const { elicit, sample, listRoots } = handlers;
  if (elicit) {
    client.setRequestHandler(ElicitRequestSchema, (request, extra) =>
      answering('elicitation', (signal) => elicit(request.params, context(signal)))(extra.signal));
  }
  if (sample) {
    client.setRequestHandler(CreateMessageRequestSchema, (request, extra) =>
      answering('sampling', (signal) => sample(request.params, context(signal)))(extra.signal));
  }
  if (listRoots) {
    client.setRequestHandler(ListRootsRequestSchema, (_request, extra) =>
      answering('roots/list', async (signal) => ({ roots: await listRoots(context(signal)) }))(extra.signal));
  }
}
