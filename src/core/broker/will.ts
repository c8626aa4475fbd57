import type { IConnectPacket } from 'mqtt-packet';
import type { BrokerMessage } from './message.js';

/**
 * The Will Message a connection leaves behind, built from its CONNECT.
 *
 * The Will Delay Interval is not waited for: MQTT 5 §3.1.3.2.2 publishes the will when the delay passes
 * or the session ends, whichever is first, and this broker's sessions all expire at disconnect (Session
 * Expiry Interval 0), so the will is always due at once.
 */
export function willFromConnect(connect: IConnectPacket, origin: object, now: number): BrokerMessage | undefined {
  const will = connect.will;
  if (!will) return undefined;
  const props = will.properties ?? {};
  const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : Buffer.from(will.payload ?? []);
  return {
    topic: will.topic,
    payload,
    qos: will.qos === 1 ? 1 : 0,
    retain: will.retain === true,
    properties: {
      payloadFormatIndicator: props.payloadFormatIndicator,
      contentType: props.contentType,
      responseTopic: props.responseTopic,
      correlationData: props.correlationData,
      userProperties: props.userProperties,
    },
    expiresAt: props.messageExpiryInterval === undefined ? undefined : now + props.messageExpiryInterval * 1000,
    origin,
  };
}
