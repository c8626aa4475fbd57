// MQTT 5 reason codes the broker sends (spec §2.4). Named so call sites read as intent, not numbers.
export const ReasonCode = {
  success: 0x00,
  grantedQoS1: 0x01,
  noMatchingSubscribers: 0x10,
  disconnectWithWill: 0x04,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecificError: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
  qosNotSupported: 0x9b,
  sharedSubscriptionsNotSupported: 0x9e,
  serverShuttingDown: 0x8b,
} as const;

// MQTT 3.1.1 CONNACK return codes (spec 3.1.1 §3.2.2.3).
export const LegacyConnackCode = {
  unacceptableProtocolVersion: 0x01,
  identifierRejected: 0x02,
} as const;
