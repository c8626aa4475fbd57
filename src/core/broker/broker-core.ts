import type { IConnectPacket } from 'mqtt-packet';
import { connectRequest, guardedAuthorizer, type BrokerAuthorizer } from './authorizer.js';
import type { ClientConnection, ConnectionHost, LogLevel } from './client-connection.js';
import type { UserProperties } from 'mqtt-packet';
import type { BrokerMessage } from './message.js';
import type { BrokerObserver } from './observer.js';
import { RetainedStore } from './retained-store.js';
import { SubscriptionTrie, type SubscriptionOptions } from './subscription-trie.js';

export interface BrokerCoreSettings {
  maxPacketSize: number;
  topicAliasMaximum: number;
  noDelay: boolean;
  maxQueuedBytes: number;
  connackUserProperties?: (connect: { clientId: string; userProperties: Record<string, string | string[]> }) =>
    Record<string, string | string[]> | undefined;
  log?: (level: LogLevel, message: string) => void;
  observe?: BrokerObserver;
  authorize?: BrokerAuthorizer;
}

/** Routing state shared by all connections: who is connected under which id, who subscribed to what, what is retained. */
export class BrokerCore implements ConnectionHost {
  readonly stats = { connections: 0, messagesIn: 0, messagesOut: 0 };
  readonly maxPacketSize: number;
  readonly topicAliasMaximum: number;
  readonly noDelay: boolean;
  readonly maxQueuedBytes: number;
  readonly observe: BrokerObserver | undefined;
  /** Asked about each PUBLISH and SUBSCRIBE filter; undefined (and so never called) without an authorizer. */
  readonly authorizePublish: BrokerAuthorizer['publish'];
  readonly authorizeSubscribe: BrokerAuthorizer['subscribe'];
  private readonly authorizer: BrokerAuthorizer | undefined;
  /** Every open socket, including ones that have not sent CONNECT yet, so stop() can close them all. */
  readonly open = new Set<ClientConnection>();
  private readonly byClientId = new Map<string, ClientConnection>();
  private readonly subscriptions = new SubscriptionTrie<ClientConnection>();
  private readonly retained = new RetainedStore();

  constructor(private readonly settings: BrokerCoreSettings) {
    this.maxPacketSize = settings.maxPacketSize;
    this.topicAliasMaximum = settings.topicAliasMaximum;
    this.noDelay = settings.noDelay;
    this.maxQueuedBytes = settings.maxQueuedBytes;
    const observer = settings.observe;
    // A failing observer must cost the observer its event, never a client its connection.
    this.observe = observer && ((event) => {
      try {
        observer(event);
      } catch (err) {
        this.log('error', `broker observer failed on ${event.type}: ${(err as Error).message}`);
      }
    });
    this.authorizer = settings.authorize && guardedAuthorizer(settings.authorize, (message) => this.log('error', message));
    this.authorizePublish = this.authorizer?.publish;
    this.authorizeSubscribe = this.authorizer?.subscribe;
  }

  log(level: LogLevel, message: string): void {
    this.settings.log?.(level, message);
  }

  attach(connection: ClientConnection): void {
    this.open.add(connection);
  }

  detach(connection: ClientConnection): void {
    this.open.delete(connection);
  }

  admit(connection: ClientConnection, connect: IConnectPacket): UserProperties | undefined {
    const previous = this.byClientId.get(connection.clientId);
    // Device ids are client ids, so a reconnecting device must win over its own half-dead old connection.
    if (previous && previous !== connection) previous.takenOver();
    this.byClientId.set(connection.clientId, connection);
    this.stats.connections++;
    this.log('debug', `client '${connection.clientId}' connected`);
    const authorized = this.authorizer?.connect?.(connectRequest(connect, connection.clientId));
    if (!this.settings.connackUserProperties) return authorized;
    try {
      const extra = this.settings.connackUserProperties({ clientId: connection.clientId, userProperties: connect.properties?.userProperties ?? {} });
      return authorized && extra ? { ...authorized, ...extra } : (extra ?? authorized);
    } catch (err) {
      this.log('error', `connackUserProperties hook failed for '${connection.clientId}': ${(err as Error).message}`);
      return authorized;
    }
  }

  release(connection: ClientConnection, filters: Iterable<string>): void {
    if (this.byClientId.get(connection.clientId) === connection) {
      this.byClientId.delete(connection.clientId);
      this.authorizer?.closed?.(connection.clientId);
    }
    for (const filter of filters) this.subscriptions.remove(filter, connection);
    this.stats.connections--;
    this.log('debug', `client '${connection.clientId}' disconnected`);
  }

  /** Returns how many subscribers it reached (PUBACK says "no matching subscribers" for 0). */
  publish(message: BrokerMessage): number {
    // An empty retained publish both clears the stored message and reaches current subscribers (MQTT 5 §3.3.1.3).
    if (message.retain) this.retained.apply(message);
    let reached = 0;
    for (const [subscriber, match] of this.subscriptions.match(message.topic, message.origin)) {
      const qos = message.qos < match.qos ? message.qos : match.qos;
      subscriber.deliver(message, qos, match.retainAsPublished && message.retain, match.subscriptionIdentifiers);
      reached++;
    }
    return reached;
  }

  subscribe(connection: ClientConnection, filter: string, options: SubscriptionOptions): boolean {
    return this.subscriptions.add(filter, connection, options);
  }

  unsubscribe(connection: ClientConnection, filter: string): boolean {
    return this.subscriptions.remove(filter, connection);
  }

  retainedFor(filter: string): BrokerMessage[] {
    return this.retained.matching(filter, Date.now());
  }

  countIn(): void {
    this.stats.messagesIn++;
  }

  countOut(): void {
    this.stats.messagesOut++;
  }

  /** Closes every connection without wills (the broker is going away) and forgets all state. */
  closeAll(): void {
    for (const connection of [...this.open]) connection.shutdown();
    this.open.clear();
    this.retained.clear();
  }
}
