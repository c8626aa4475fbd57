// The proxy's connection to the real devices' broker: plain MQTT, no MCP user properties (the devices
// neither know nor care about MCP). Subscriptions are shared and reference-counted, because several
// bindings (an attribute, a confirmation, an event) often read the same topic.
import mqtt, { type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { topicMatches } from '../protocol/topics.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../mqtt/connection.js';
import { describeConnectError, toClientOptions, type BrokerConfig } from '../mqtt/options.js';
import { randomId } from '../util/ids.js';
import { type Logger, nullLogger } from '../util/logger.js';

export interface DeviceMessage {
  topic: string;
  payload: Buffer;
  /** Set when the broker delivered a retained message because of a new subscription: old state, not news. */
  retain: boolean;
  correlationData?: Buffer;
}

export type DeviceMessageHandler = (message: DeviceMessage) => void;

export interface DevicePublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
  responseTopic?: string;
  correlationData?: Buffer;
}

export interface DeviceLinkOptions {
  broker: BrokerConfig;
  clientId?: string;
  maxPayloadBytes?: number;
  logger?: Logger;
}

export class DeviceLink {
  readonly clientId: string;
  private client: MqttClient | undefined;
  private readonly handlers: { filter: string; handler: DeviceMessageHandler }[] = [];
  private readonly subscriptions = new Map<string, { refs: number; ready: Promise<void> }>();
  private readonly log: Logger;
  private readonly maxPayloadBytes: number;

  constructor(private readonly options: DeviceLinkOptions) {
    this.clientId = options.clientId ?? randomId('mqtt-mcp-proxy-');
    this.log = options.logger ?? nullLogger;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  }

  get url(): string {
    return this.options.broker.url;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Resolves on the first CONNACK; afterwards MQTT.js reconnects and resubscribes by itself. */
  async connect(): Promise<void> {
    if (this.client) return;
    const client = mqtt.connect({
      ...toClientOptions(this.options.broker),
      clientId: this.clientId,
      // MQTT 5 for response topics and correlation data; the devices themselves may speak 3.1.1.
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        client.removeListener('connect', onConnect);
        client.end(true);
        this.client = undefined;
        reject(new Error(`device broker ${this.options.broker.url}: ${describeConnectError(error, this.options.broker.url)}`));
      };
      const onConnect = (): void => {
        client.removeListener('error', onError);
        client.on('error', (e) => this.log.warn(`device broker ${this.options.broker.url}: ${describeConnectError(e, this.options.broker.url)}`));
        resolve();
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  /** Subscribes (shared with other listeners of the same filter) and resolves once the broker granted it. */
  async listen(filter: string, handler: DeviceMessageHandler): Promise<() => Promise<void>> {
    const entry = { filter, handler };
    this.handlers.push(entry);
    try {
      await this.subscribe(filter);
    } catch (e) {
      this.handlers.splice(this.handlers.indexOf(entry), 1);
      throw e;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const index = this.handlers.indexOf(entry);
      if (index >= 0) this.handlers.splice(index, 1);
      await this.unsubscribe(filter);
    };
  }

  async publish(topic: string, payload: string | Uint8Array, options: DevicePublishOptions = {}): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error(`not connected to the device broker ${this.options.broker.url}`);
    const publishOptions: IClientPublishOptions = { qos: options.qos ?? 1, retain: options.retain ?? false };
    if (options.responseTopic) publishOptions.properties = { responseTopic: options.responseTopic, correlationData: options.correlationData };
    const body = typeof payload === 'string' ? payload : Buffer.from(payload);
    await new Promise<void>((resolve, reject) => client.publish(topic, body, publishOptions, (e) => (e ? reject(e) : resolve())));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscriptions.clear();
    if (client) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }

  private subscribe(filter: string): Promise<void> {
    const existing = this.subscriptions.get(filter);
    if (existing) {
      existing.refs++;
      return existing.ready;
    }
    const client = this.client;
    if (!client) return Promise.reject(new Error('the device link is not connected'));
    const ready = new Promise<void>((resolve, reject) => {
      client.subscribe(filter, { qos: 1 }, (error, granted) => {
        if (error) return reject(new Error(`subscribing to ${filter} failed: ${error.message}`));
        const refused = (granted ?? []).find((g) => g.qos >= 0x80);
        if (refused) return reject(new Error(`the device broker refused a subscription to ${filter} (reason ${refused.qos})`));
        resolve();
      });
    });
    const entry = { refs: 1, ready };
    this.subscriptions.set(filter, entry);
    ready.catch(() => this.subscriptions.get(filter) === entry && this.subscriptions.delete(filter));
    return ready;
  }

  private async unsubscribe(filter: string): Promise<void> {
    const entry = this.subscriptions.get(filter);
    if (!entry || --entry.refs > 0) return;
    this.subscriptions.delete(filter);
    const client = this.client;
    if (!client?.connected) return;
    await new Promise<void>((resolve) => client.unsubscribe(filter, () => resolve()));
  }

  private dispatch(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (payload.length > this.maxPayloadBytes) {
      this.log.warn(`device broker: dropped ${payload.length}-byte message on ${topic} (limit ${this.maxPayloadBytes})`);
      return;
    }
    const message: DeviceMessage = { topic, payload, retain: packet.retain, correlationData: packet.properties?.correlationData };
    for (const { filter, handler } of [...this.handlers]) {
      if (!topicMatches(filter, topic)) continue;
      try {
        handler(message);
      } catch (e) {
        // One bad binding must not stop the others, nor the proxy.
        this.log.error(`device message on ${topic}`, e);
      }
    }
  }
}
