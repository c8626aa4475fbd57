import type { UserProperties } from 'mqtt-packet';

/** PUBLISH properties that travel unchanged from publisher to subscribers (MQTT 5 §3.3.2.3). */
export interface ForwardedProperties {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: UserProperties;
}

/** One application message as the broker routes it, independent of any connection's encoding. */
export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
  properties: ForwardedProperties;
  /** Epoch ms after which the message must no longer be delivered; absent when it never expires. */
  expiresAt?: number;
  /** Who published it, so a No Local subscription of that same client can skip it. */
  origin?: object;
}

/** The PUBLISH properties a subscriber gets, copied without the ones that belong to the publisher's hop. */
export function forwardedProperties(props: ForwardedProperties & Record<string, unknown>): ForwardedProperties {
  const properties: ForwardedProperties = {};
  if (props.payloadFormatIndicator !== undefined) properties.payloadFormatIndicator = props.payloadFormatIndicator;
  if (props.contentType !== undefined) properties.contentType = props.contentType;
  if (props.responseTopic !== undefined) properties.responseTopic = props.responseTopic;
  if (props.correlationData !== undefined) properties.correlationData = props.correlationData;
  if (props.userProperties !== undefined) properties.userProperties = props.userProperties;
  return properties;
}

/** Seconds left before expiry, rounded up so a message is never reported as already expired while deliverable. */
export function remainingExpirySeconds(message: BrokerMessage, now: number): number | undefined {
  if (message.expiresAt === undefined) return undefined;
  return Math.max(1, Math.ceil((message.expiresAt - now) / 1000));
}

export function isExpired(message: BrokerMessage, now: number): boolean {
  return message.expiresAt !== undefined && message.expiresAt <= now;
}
