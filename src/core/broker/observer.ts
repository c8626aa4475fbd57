// What the embedded broker tells an observer about each client's packets: a generic, read-only view for
// tools that judge clients by what they put on the wire (the conformance checker's packet mode). The broker
// knows nothing of MCP; the observer interprets. Payloads are the broker's own buffers: do not modify them.
import type { IConnectPacket, ISubscribePacket, UserProperties } from 'mqtt-packet';

interface EventBase {
  /** Wall-clock time in milliseconds since the epoch, with sub-millisecond precision. */
  at: number;
  clientId: string;
}

export interface ObservedWill {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: {
    willDelayInterval?: number;
    messageExpiryInterval?: number;
    contentType?: string;
    userProperties?: UserProperties;
  };
}

/** A CONNECT the broker accepted (refused ones are not reported). */
export interface ConnectEvent extends EventBase {
  type: 'connect';
  protocolVersion: number;
  keepalive: number;
  clean: boolean;
  properties: {
    /** Absent means 0 (MQTT 5 §3.1.2.11.2). */
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumPacketSize?: number;
    userProperties?: UserProperties;
  };
  will: ObservedWill | undefined;
  /** The user properties the broker put in its CONNACK, if any. */
  connackUserProperties: UserProperties | undefined;
}

export interface ObservedSubscription {
  filter: string;
  qos: number;
  /** No Local. */
  nl: boolean;
  /** Retain As Published. */
  rap: boolean;
  /** Retain Handling. */
  rh: number;
}

export interface SubscribeEvent extends EventBase {
  type: 'subscribe';
  subscriptions: ObservedSubscription[];
}

export interface UnsubscribeEvent extends EventBase {
  type: 'unsubscribe';
  filters: string[];
}

/** A PUBLISH received from the client (after topic-alias resolution). */
export interface PublishEvent extends EventBase {
  type: 'publish';
  topic: string;
  qos: number;
  retain: boolean;
  properties: { userProperties?: UserProperties; contentType?: string; payloadFormatIndicator?: boolean; messageExpiryInterval?: number };
  payloadLength: number;
  payload: Buffer;
}

/** The client acknowledged a QoS 1 message the broker sent it. */
export interface PubackEvent extends EventBase {
  type: 'puback';
  messageId: number;
}

/** The client sent DISCONNECT. */
export interface DisconnectEvent extends EventBase {
  type: 'disconnect';
  reasonCode: number;
}

/** The connection ended, for whatever reason (DISCONNECT, takeover, keep-alive, error, socket closed). */
export interface CloseEvent extends EventBase {
  type: 'close';
  /** Why, in words; "connection closed" when the socket just went away. */
  reason: string;
  willPublished: boolean;
}

export type BrokerEvent = ConnectEvent | SubscribeEvent | UnsubscribeEvent | PublishEvent | PubackEvent | DisconnectEvent | CloseEvent;

export type BrokerObserver = (event: BrokerEvent) => void;

export function observedAt(): number {
  return performance.timeOrigin + performance.now();
}

export function connectEvent(connect: IConnectPacket, clientId: string, connackUserProperties: UserProperties | undefined): ConnectEvent {
  const will = connect.will;
  return {
    type: 'connect',
    at: observedAt(),
    clientId,
    protocolVersion: connect.protocolVersion ?? 4,
    keepalive: connect.keepalive ?? 0,
    clean: connect.clean !== false,
    properties: connect.properties ?? {},
    will: will && {
      topic: will.topic,
      payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload ?? ''),
      qos: will.qos ?? 0,
      retain: will.retain === true,
      properties: will.properties ?? {},
    },
    connackUserProperties,
  };
}

export function subscribeEvent(packet: ISubscribePacket, clientId: string): SubscribeEvent {
  const subscriptions = packet.subscriptions.map((s) => ({ filter: s.topic, qos: s.qos, nl: s.nl === true, rap: s.rap === true, rh: s.rh ?? 0 }));
  return { type: 'subscribe', at: observedAt(), clientId, subscriptions };
}
