// The device side of one agent session: its own MQTT connection (a fresh client id) and an MQTT client
// transport on it. Nothing is initialized here: the agent's own `initialize` goes through unchanged, so the
// device sees the agent's capabilities and keeps this agent's state (subscriptions, log level) apart.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { McpMqttClient } from '../client/mcp-client.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { EventSink } from '../events/event-log.js';
import { MqttClientTransport } from '../transport/client-transport.js';
import { topics } from '../protocol/topics.js';
import { publishProperties } from '../protocol/properties.js';
import { DISCONNECTED_MESSAGE } from '../protocol/presence.js';
import { errorMessage } from '../util/logger.js';

/** Thrown by `start()` when the device cannot be reached; the message is meant for the agent's user. */
export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}

export class DeviceTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** The instance this session is pinned to, once started. */
  serverId: string | undefined;

  private inner: MqttClientTransport | undefined;
  private connection: MqttConnection | undefined;
  private stopWatching: (() => void) | undefined;
  private shutdown: Promise<void> | undefined;
  private ended = false;

  constructor(
    private readonly client: McpMqttClient,
    readonly serverName: string,
    private readonly events?: EventSink,
  ) {}

  get clientId(): string | undefined {
    return this.connection?.clientId;
  }
  /** Why the device session ended, when it was not our choice (offline, de-initialized, broker lost). */
  get closeReason(): string | undefined {
    return this.inner?.closeReason;
  }

  async start(): Promise<void> {
    const { client, serverName } = this;
    // Instances that answered before first (the shared client remembers), random otherwise.
    const instance = client.rankedInstances(serverName)[0];
    if (!instance) {
      throw new DeviceUnavailableError(
        client.registry.get(serverName) ? `"${serverName}" is offline on ${client.brokerLabel}` : `no MCP server named "${serverName}" on ${client.brokerLabel}`,
      );
    }
    this.serverId = instance.serverId;
    const connection = client.createDedicatedConnection();
    this.connection = connection;
    try {
      await connection.connect();
    } catch (e) {
      this.ended = true;
      await connection.close().catch(() => undefined);
      throw new DeviceUnavailableError(`could not open a connection to ${client.brokerLabel} for "${serverName}": ${errorMessage(e)}`);
    }
    const inner = new MqttClientTransport({
      connection,
      serverId: instance.serverId,
      serverName,
      broker: client.brokerLabel,
      events: this.events,
      legacyTopics: client.legacyTopics,
    });
    this.inner = inner;
    inner.onmessage = (m) => this.onmessage?.(m);
    inner.onerror = (e) => this.onerror?.(e);
    inner.onclose = () => this.finish();
    // The shared client sees presence; an instance that leaves must fail this session's calls now, not at
    // their timeouts (spec §5.7).
    this.stopWatching = client.registry.onDidChange(({ names }) => {
      if (names.includes(serverName) && !client.registry.instance(serverName, instance.serverId)) {
        inner.abort(`${serverName} went offline (presence cleared)`);
      }
    });
    await inner.start();
    if (!client.registry.instance(serverName, instance.serverId)) inner.abort(`${serverName} went offline (presence cleared)`);
    if (inner.closed) throw new DeviceUnavailableError(inner.closeReason ?? `the session with "${serverName}" ended while opening`);
  }

  get closed(): boolean {
    return this.ended;
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.inner) return Promise.reject(new Error(`session with ${this.serverName} is not open`));
    return this.inner.send(message, options);
  }

  /** De-initializes (spec §5.6), says goodbye on the client presence topic, DISCONNECTs. */
  async close(): Promise<void> {
    if (this.inner) await this.inner.close();
    else if (!this.ended) this.finish();
    await this.shutdown;
  }

  private finish(): void {
    if (this.shutdown) return;
    this.ended = true;
    this.stopWatching?.();
    const connection = this.connection;
    this.shutdown = (async () => {
      if (connection?.connected) {
        await connection
          .publish(topics.clientPresence(connection.clientId), DISCONNECTED_MESSAGE, { qos: 1, userProperties: publishProperties('mcp-client', connection.clientId) })
          .catch(() => undefined);
      }
      await connection?.close().catch(() => undefined);
    })();
    this.onclose?.();
  }
}
