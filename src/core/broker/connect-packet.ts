// What the broker answers to a CONNECT, decided from the packet alone: whether it is refused (and how the
// client's protocol version lets the broker say so), the client id to assign, and the CONNACK it gets.
import { randomUUID } from 'node:crypto';
import type { IConnectPacket, Packet, UserProperties } from 'mqtt-packet';
import { LegacyConnackCode, ReasonCode } from './reason-codes.js';
import { isValidTopicName } from './topics.js';

export type ConnectVerdict =
  /** Neither 3.1.1 nor 5: answered with a bare 3.1.1 CONNACK, as the client's version is unknown. */
  | { kind: 'unacceptable-version' }
  | { kind: 'refused'; version: 4 | 5; reasonCode: number; reasonString: string }
  | { kind: 'accepted'; version: 4 | 5; clientId: string; assignedClientIdentifier?: string };

/** Checks a CONNECT. A QoS 2 will of a 3.1.1 client becomes QoS 1 (3.1.1 cannot refuse it with a reason). */
export function judgeConnect(connect: IConnectPacket): ConnectVerdict {
  const version = connect.protocolVersion;
  if (version !== 4 && version !== 5) return { kind: 'unacceptable-version' };
  const refused = (reasonCode: number, reasonString: string): ConnectVerdict => ({ kind: 'refused', version, reasonCode, reasonString });
  if (connect.properties?.authenticationMethod !== undefined) return refused(ReasonCode.badAuthenticationMethod, 'extended authentication is not supported');
  if (connect.will && !isValidTopicName(connect.will.topic)) return refused(ReasonCode.topicNameInvalid, 'invalid will topic');
  if (connect.will?.qos === 2) {
    if (version === 5) return refused(ReasonCode.qosNotSupported, 'maximum QoS is 1');
    // 3.1.1 has no way to say so; a QoS 1 will is the closest this broker can honour.
    connect.will.qos = 1;
  }
  if (connect.clientId !== '') return { kind: 'accepted', version, clientId: connect.clientId };
  if (version === 4 && connect.clean === false) return refused(LegacyConnackCode.identifierRejected, 'empty client id needs a clean session');
  const assignedClientIdentifier = `auto-${randomUUID()}`;
  return { kind: 'accepted', version, clientId: assignedClientIdentifier, assignedClientIdentifier };
}

export interface BrokerLimits {
  readonly maxPacketSize: number;
  readonly topicAliasMaximum: number;
}

/** The CONNACK of an accepted connection: what this broker supports, in MQTT 5's words. */
export function acceptingConnack(verdict: Extract<ConnectVerdict, { kind: 'accepted' }>, limits: BrokerLimits, userProperties: UserProperties | undefined): Packet {
  if (verdict.version === 4) return { cmd: 'connack', sessionPresent: false, returnCode: 0 };
  const { assignedClientIdentifier } = verdict;
  return {
    cmd: 'connack',
    sessionPresent: false,
    reasonCode: ReasonCode.success,
    properties: {
      // Sessions never outlive the connection here; saying so lets clients that asked for more know.
      sessionExpiryInterval: 0,
      maximumQoS: 1,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      sharedSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: true,
      topicAliasMaximum: limits.topicAliasMaximum,
      maximumPacketSize: limits.maxPacketSize,
      ...(assignedClientIdentifier ? { assignedClientIdentifier } : {}),
      ...(userProperties ? { userProperties } : {}),
    },
  };
}

/** The CONNACK of a refused connection (a 3.1.1 return code when the client speaks 3.1.1). */
export function refusingConnack(version: 4 | 5, reasonCode: number, reasonString: string): Packet {
  if (version === 5) return { cmd: 'connack', sessionPresent: false, reasonCode, properties: { reasonString } };
  const idRejected = reasonCode === LegacyConnackCode.identifierRejected || reasonCode === ReasonCode.clientIdentifierNotValid;
  return { cmd: 'connack', sessionPresent: false, returnCode: idRejected ? LegacyConnackCode.identifierRejected : LegacyConnackCode.unacceptableProtocolVersion };
}
