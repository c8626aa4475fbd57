// One SUBSCRIBE, served as a sequence of small steps (a generator) so the connection can run it in time
// slices: 10,000 filters with 10,000 retained matches are a lot of work, and the broker has one thread for
// every client.
import type { ISubscribePacket, Packet } from 'mqtt-packet';
import type { BrokerMessage } from './message.js';
import { ReasonCode } from './reason-codes.js';
import type { SubscriptionOptions } from './subscription-trie.js';
import { checkTopicFilter } from './topics.js';

/** What serving a SUBSCRIBE needs from its connection and the broker behind it. */
export interface SubscribeContext {
  protocolVersion: 4 | 5;
  /** Adds or replaces the subscription; returns whether this exact filter existed before. */
  subscribe(filter: string, options: SubscriptionOptions): boolean;
  retainedFor(filter: string): BrokerMessage[];
  /** The authorizer's reason code to refuse a filter with; absent when there is no authorizer. */
  authorize?: (filter: string) => number | undefined;
  send(packet: Packet): void;
  deliver(message: BrokerMessage, qos: 0 | 1, retainFlag: boolean, subscriptionIdentifiers: number[]): void;
}

/**
 * Yields after each filter and each retained message. SUBACK goes out once every filter is in place, then the
 * retained messages; the caller holds back the connection's later packets until the generator is done, so a
 * client can still treat "SUBACK of a later request" as "retained snapshot complete". Retained messages are
 * looked up when their turn comes, so a slow snapshot never sends a message older than a live one it already sent.
 */
export function* serveSubscribe(packet: ISubscribePacket, ctx: SubscribeContext): Generator<void, void, void> {
  const subscriptionIdentifier = packet.properties?.subscriptionIdentifier;
  const granted: number[] = [];
  const snapshot: Array<{ filter: string; qos: 0 | 1 }> = [];
  for (const request of packet.subscriptions) {
    const check = checkTopicFilter(request.topic);
    if (check !== 'ok') {
      if (ctx.protocolVersion === 4) granted.push(0x80);
      else granted.push(check === 'shared' ? ReasonCode.sharedSubscriptionsNotSupported : ReasonCode.topicFilterInvalid);
      continue;
    }
    const refused = ctx.authorize?.(request.topic);
    if (refused !== undefined) {
      granted.push(ctx.protocolVersion === 4 ? 0x80 : refused);
      continue;
    }
    const qos: 0 | 1 = request.qos >= 1 ? 1 : 0;
    const existed = ctx.subscribe(request.topic, {
      qos,
      noLocal: request.nl === true,
      retainAsPublished: request.rap === true,
      subscriptionIdentifier,
    });
    granted.push(qos);
    const retainHandling = request.rh ?? 0;
    if (retainHandling === 0 || (retainHandling === 1 && !existed)) snapshot.push({ filter: request.topic, qos });
    yield;
  }
  ctx.send({ cmd: 'suback', messageId: packet.messageId, granted });
  const ids = subscriptionIdentifier === undefined ? [] : [subscriptionIdentifier];
  for (const { filter, qos } of snapshot) {
    for (const message of ctx.retainedFor(filter)) {
      ctx.deliver(message, message.qos < qos ? message.qos : qos, true, ids);
      yield;
    }
  }
}
