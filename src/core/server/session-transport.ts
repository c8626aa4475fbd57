// The SDK `Transport` for one initialized client of a server instance. The host owns the MQTT side; this
// object only turns the SDK `Server`'s sends into publishes and the host's deliveries into `onmessage`.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CAPABILITY_METHODS } from '../transport/jsonrpc.js';

export interface SessionTransportHost {
  /** Publishes on this client's RPC topic. */
  publishRpc(clientId: string, message: JSONRPCMessage): Promise<void>;
  /** Publishes on the instance's capability topic (shared by all its clients). */
  publishCapability(message: JSONRPCMessage): Promise<void>;
  /** Called once when the SDK side closes the session; `transport` tells an old session from a newer one of the same client. */
  sessionClosed(clientId: string, transport: ServerSessionTransport): void;
}

export class ServerSessionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;

  constructor(
    readonly clientId: string,
    private readonly host: SessionTransportHost,
  ) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw new Error(`session with client ${this.clientId} is closed`);
    if ('method' in message && !('id' in message) && CAPABILITY_METHODS.has(message.method)) {
      await this.host.publishCapability(message);
      return;
    }
    await this.host.publishRpc(this.clientId, message);
  }

  deliver(message: JSONRPCMessage): void {
    if (!this.closed) this.onmessage?.(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.host.sessionClosed(this.clientId, this);
    this.onclose?.();
  }
}
