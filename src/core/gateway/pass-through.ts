// Joins an agent-facing MCP transport (one Streamable HTTP session, or stdio) to a device session over MQTT,
// as a JSON-RPC pass-through: requests, notifications, responses and server-initiated requests go through
// unchanged in both directions, so the agent sees the device's own protocol version, capabilities, server
// info and instructions, and the device sees the agent's own capabilities (sampling, elicitation, roots).
// An SDK `Server` in the middle would have to re-declare all of that and would answer some methods itself.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isNotification, isRequest, isResponse } from '../transport/jsonrpc.js';
import { withCallSource } from '../util/call-source.js';
import { errorMessage, type Logger, nullLogger } from '../util/logger.js';
import type { DeviceTransport } from './device-transport.js';

/** JSON-RPC error code for calls the device cannot take (offline, unreachable); same as a closed transport. */
export const DEVICE_UNAVAILABLE_CODE = -32000;
const REINITIALIZE_TIMEOUT_MS = 30_000;

export interface PassThroughOptions {
  agent: Transport;
  serverName: string;
  /** A fresh device side, made when the agent initializes (and after a loss, with `resumeAfterDeviceLoss`). */
  openDevice: () => DeviceTransport;
  /**
   * Send the device's requests and notifications on the stream of an open agent request (Streamable HTTP).
   * The agent's standalone GET stream is optional there, and messages for a missing stream are dropped.
   */
  relateToRequests?: boolean;
  /** The agent cancelled a request: the device will not answer it, so its HTTP stream must be released. */
  onRequestAbandoned?: (id: RequestId) => void;
  /**
   * stdio: the agent cannot start a new session, so when the device comes back the bridge initializes it
   * again with the agent's original `initialize`, and fails calls at once while it is away.
   */
  resumeAfterDeviceLoss?: boolean;
  logger?: Logger;
}

interface OpenRequest {
  progressToken?: string | number;
}

export class PassThrough {
  private device: DeviceTransport | undefined;
  private deviceReady: Promise<boolean> = Promise.resolve(false);
  private unavailableReason: string;
  private readonly open = new Map<RequestId, OpenRequest>();
  private initializeRequest: (JSONRPCMessage & { id: RequestId }) | undefined;
  private toolsListChanged = false;
  private readonly internalWaiters = new Map<RequestId, (m: JSONRPCMessage) => void>();
  private internalIds = 0;
  private toAgent: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly closeListeners = new Set<(reason: string | undefined) => void>();
  private readonly log: Logger;

  constructor(private readonly options: PassThroughOptions) {
    this.log = options.logger ?? nullLogger;
    this.unavailableReason = `the session with "${options.serverName}" is not initialized`;
  }

  /** Agent requests waiting for the device. */
  get openRequests(): number {
    return this.open.size;
  }
  get deviceClientId(): string | undefined {
    return this.device?.clientId;
  }

  async start(): Promise<void> {
    const { agent } = this.options;
    agent.onmessage = (m) => this.fromAgent(m);
    agent.onclose = () => void this.close();
    agent.onerror = (e) => this.log.debug(`agent transport (${this.options.serverName}): ${errorMessage(e)}`);
    await agent.start();
  }

  onClose(listener: (reason: string | undefined) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private fromAgent(message: JSONRPCMessage): void {
    if (this.closing) return;
    if (isRequest(message)) {
      this.open.set(message.id, { progressToken: progressTokenOf(message) });
      if (message.method === 'initialize') {
        this.initializeRequest = message;
        this.deviceReady = this.connectDevice();
      } else if (!this.device && this.options.resumeAfterDeviceLoss && this.initializeRequest) {
        this.deviceReady = this.connectDevice(true);
      }
    } else if (isNotification(message) && message.method === 'notifications/cancelled') {
      const id = (message as { params?: { requestId?: RequestId } }).params?.requestId;
      if (id !== undefined && this.open.delete(id)) this.options.onRequestAbandoned?.(id);
    }
    // Chained on readiness rather than on the previous send, so calls are not serialized on broker round trips;
    // continuations of one promise run in registration order, so the device still sees the agent's order.
    void this.deviceReady.then((ready) => {
      const device = this.device;
      if (!ready || !device) return this.refuse(message, this.unavailableReason);
      return withCallSource('agent', () => device.send(message)).catch((e) => this.refuse(message, `could not reach "${this.options.serverName}": ${errorMessage(e)}`));
    });
  }

  private async connectDevice(replayInitialize = false): Promise<boolean> {
    const previous = this.device;
    const device = this.options.openDevice();
    this.device = device;
    device.onmessage = (m) => this.fromDevice(m);
    device.onerror = (e) => this.log.debug(`${this.options.serverName}: ${errorMessage(e)}`);
    await previous?.close().catch(() => undefined);
    try {
      await device.start();
      if (replayInitialize) await this.reinitialize(device);
      if (device.closed) throw new Error(device.closeReason ?? `"${this.options.serverName}" ended the session`);
      // Only now: a failure while starting is reported by start() itself, with the agent's request still to answer.
      device.onclose = () => this.deviceClosed(device);
      return true;
    } catch (e) {
      this.unavailableReason = errorMessage(e);
      if (this.device === device) this.device = undefined;
      await device.close().catch(() => undefined);
      // An HTTP session whose initialize failed has nothing left to do; stdio keeps waiting for the device.
      if (!replayInitialize && !this.options.resumeAfterDeviceLoss) setImmediate(() => void this.close(this.unavailableReason));
      return false;
    }
  }

  /** Initializes a returning device with the agent's original request, which the agent never sees again. */
  private async reinitialize(device: DeviceTransport): Promise<void> {
    const original = this.initializeRequest as JSONRPCMessage & { params?: unknown };
    const id = `mqtt-mcp-reinitialize-${++this.internalIds}`;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`"${this.options.serverName}" did not answer initialize`)), REINITIALIZE_TIMEOUT_MS);
      this.internalWaiters.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      device.onclose = () => {
        clearTimeout(timer);
        reject(new Error(device.closeReason ?? `"${this.options.serverName}" closed the session`));
      };
    }).finally(() => {
      this.internalWaiters.delete(id);
      device.onclose = undefined;
    });
    await withCallSource('agent', () => device.send({ jsonrpc: '2.0', id, method: 'initialize', params: original.params } as JSONRPCMessage));
    const reply = await answered;
    if ('error' in reply) throw new Error(`"${this.options.serverName}" refused initialize: ${reply.error.message}`);
    await withCallSource('agent', () => device.send({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    this.log.info(`${this.options.serverName}: device back, session resumed`);
    // The device may have restarted with other firmware: let the agent re-list when it can be told to.
    if (this.toolsListChanged) this.sendToAgent({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
  }

  private fromDevice(message: JSONRPCMessage): void {
    if (isResponse(message)) {
      const waiter = this.internalWaiters.get(message.id);
      if (waiter) return waiter(message);
      // A request the agent cancelled: it must not get an answer any more.
      if (!this.open.delete(message.id)) return;
      if (message.id === this.initializeRequest?.id && 'result' in message) {
        const capabilities = (message.result as { capabilities?: { tools?: { listChanged?: boolean } } }).capabilities;
        this.toolsListChanged = capabilities?.tools?.listChanged === true;
      }
      return this.sendToAgent(message);
    }
    this.sendToAgent(message, this.relatedRequest(message));
  }

  private relatedRequest(message: JSONRPCMessage): RequestId | undefined {
    if (!this.options.relateToRequests || this.open.size === 0) return undefined;
    if ('method' in message && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      for (const [id, r] of this.open) if (r.progressToken !== undefined && r.progressToken === token) return id;
    }
    // Sampling, elicitation or logging during a call belong to that call; the newest open request is the best guess.
    return [...this.open.keys()].pop();
  }

  private deviceClosed(device: DeviceTransport): void {
    if (device !== this.device) return;
    this.device = undefined;
    this.unavailableReason = device.closeReason ?? `"${this.options.serverName}" ended the session`;
    this.deviceReady = Promise.resolve(false);
    // The transport has already failed the device's open calls with the reason; what is left is the session.
    if (!this.options.resumeAfterDeviceLoss) void this.close(this.unavailableReason);
    else this.log.warn(`${this.unavailableReason}; calls fail until it is back`);
  }

  private refuse(message: JSONRPCMessage, reason: string): void {
    if (!isRequest(message)) return;
    if (!this.open.delete(message.id)) return;
    this.sendToAgent({ jsonrpc: '2.0', id: message.id, error: { code: DEVICE_UNAVAILABLE_CODE, message: reason } });
  }

  private sendToAgent(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    const { agent } = this.options;
    this.toAgent = this.toAgent
      .then(() => agent.send(message, relatedRequestId !== undefined ? { relatedRequestId } : undefined))
      .catch((e) => this.log.debug(`could not pass a message to the agent (${this.options.serverName}): ${errorMessage(e)}`));
  }

  /** Ends both sides: de-initializes the device session and closes the agent's. */
  close(reason?: string): Promise<void> {
    this.closing ??= (async () => {
      const device = this.device;
      this.device = undefined;
      this.deviceReady = Promise.resolve(false);
      await device?.close().catch(() => undefined);
      await this.toAgent;
      await this.options.agent.close().catch(() => undefined);
      for (const l of this.closeListeners) l(reason);
    })();
    return this.closing;
  }
}

function progressTokenOf(message: JSONRPCMessage): string | number | undefined {
  const meta = (message as { params?: { _meta?: { progressToken?: unknown } } }).params?._meta;
  const token = meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}
