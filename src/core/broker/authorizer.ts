// A generic authorization hook for the embedded broker: it is asked about each CONNECT, PUBLISH and
// SUBSCRIBE filter and may add CONNACK user properties, refuse a publish (with a reason code, and optionally
// an answer delivered to the publisher alone) or refuse a filter. The broker knows nothing of what the
// authorizer checks (the MCP RBAC policy lives in core/rbac). Without an authorizer nothing here runs.
import type { IConnectPacket, Packet, UserProperties } from 'mqtt-packet';
import type { BrokerMessage } from './message.js';

export interface ConnectRequest {
  clientId: string;
  username: string | undefined;
  userProperties: UserProperties;
}

export interface PublishRequest {
  clientId: string;
  username: string | undefined;
  topic: string;
  /** The broker's own buffer: read, never modify. */
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
  userProperties: UserProperties | undefined;
}

export interface PublishRefusal {
  /** Sent in the PUBACK (QoS 1, MQTT 5), e.g. 0x87 Not authorized. */
  reasonCode: number;
  reasonString: string;
  /** Delivered to the publisher only (not routed), before the PUBACK: e.g. an error reply the caller waits for. */
  answer?: { topic: string; payload: string | Buffer; userProperties?: UserProperties };
}

export interface SubscribeRequest {
  clientId: string;
  username: string | undefined;
  filter: string;
}

export interface BrokerAuthorizer {
  /** Returns extra CONNACK user properties for an accepted client. */
  connect?(request: ConnectRequest): UserProperties | undefined;
  /** Returns a refusal, or undefined to let the message through. */
  publish?(request: PublishRequest): PublishRefusal | undefined;
  /** Returns the reason code to refuse the filter with, or undefined to grant it. */
  subscribe?(request: SubscribeRequest): number | undefined;
  /** The client's session ended (state kept per client can go). */
  closed?(clientId: string): void;
}

/** What a connection calls, as `authorizePublish?.(...)`: without an authorizer no request is even built. */
export interface AuthorizeHooks {
  readonly authorizePublish: BrokerAuthorizer['publish'];
  readonly authorizeSubscribe: BrokerAuthorizer['subscribe'];
}

/** Not authorized (MQTT 5 §2.4): the reason code for refusals. */
export const NOT_AUTHORIZED = 0x87;
const UNSPECIFIED_ERROR = 0x80;

/** A throwing authorizer refuses (fails closed) and is logged; it never costs the client its connection. */
export function guardedAuthorizer(authorizer: BrokerAuthorizer, log: (message: string) => void): BrokerAuthorizer {
  const failed = (what: string, err: unknown): void => log(`broker authorizer failed on ${what}: ${(err as Error).message}`);
  return {
    connect: authorizer.connect && ((request) => {
      try {
        return authorizer.connect?.(request);
      } catch (err) {
        failed(`CONNECT of '${request.clientId}'`, err);
        return undefined;
      }
    }),
    publish: authorizer.publish && ((request) => {
      try {
        return authorizer.publish?.(request);
      } catch (err) {
        failed(`PUBLISH to ${request.topic}`, err);
        return { reasonCode: UNSPECIFIED_ERROR, reasonString: 'authorization failed' };
      }
    }),
    subscribe: authorizer.subscribe && ((request) => {
      try {
        return authorizer.subscribe?.(request);
      } catch (err) {
        failed(`SUBSCRIBE to ${request.filter}`, err);
        return UNSPECIFIED_ERROR;
      }
    }),
    closed: authorizer.closed && ((clientId) => {
      try {
        authorizer.closed?.(clientId);
      } catch (err) {
        failed(`close of '${clientId}'`, err);
      }
    }),
  };
}

export function connectRequest(connect: IConnectPacket, clientId: string): ConnectRequest {
  return { clientId, username: connect.username, userProperties: connect.properties?.userProperties ?? {} };
}

/** Answers a refused publish: the answer (if any) to the publisher, then the PUBACK with the reason. */
export function answerRefusal(
  refusal: PublishRefusal,
  messageId: number | undefined,
  protocolVersion: 4 | 5,
  deliver: (message: BrokerMessage) => void,
  send: (packet: Packet) => void,
): void {
  if (refusal.answer) {
    const { topic, payload, userProperties } = refusal.answer;
    deliver({ topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 0, retain: false, properties: userProperties ? { userProperties } : {} });
  }
  if (messageId === undefined) return;
  // MQTT 3.1.1 has no reason codes: the publish is acknowledged and dropped, as brokers do for ACL denials.
  if (protocolVersion === 5) send({ cmd: 'puback', messageId, reasonCode: refusal.reasonCode, properties: { reasonString: refusal.reasonString } });
  else send({ cmd: 'puback', messageId });
}
