// Packet mode: when the checker runs the broker, it sees the device's own packets (CONNECT, SUBSCRIBE,
// PUBLISH) through the embedded broker's generic observer and judges what no client can see from outside.
import type { BrokerEvent, ConnectEvent, PublishEvent, SubscribeEvent } from '../broker/observer.js';
import { PROP, firstProperty } from '../protocol/properties.js';
import { parseTopic, topicMatches, topics } from '../protocol/topics.js';
import { type CheckContext, type SessionUnderTest, preview } from './context.js';
import type { PacketSource } from './types.js';

/** Enough for a long run against a chatty device; beyond it the oldest publishes are dropped, never CONNECT or SUBSCRIBE. */
const MAX_PUBLISHES = 50_000;

/** Records what an embedded broker observed; pass `observe` to EmbeddedBrokerOptions.observe. */
export class PacketCapture implements PacketSource {
  readonly events: BrokerEvent[] = [];
  /** Told of every PUBLISH as it arrives (listen.ts waits for a device's presence this way). */
  readonly listeners = new Set<(event: PublishEvent) => void>();
  private publishes = 0;
  readonly observe = (event: BrokerEvent): void => {
    if (event.type === 'publish') {
      for (const listener of this.listeners) listener(event);
      if (++this.publishes > MAX_PUBLISHES) return;
    }
    this.events.push(event);
  };

  /** The client that published this presence topic (the device, whatever client id it chose). */
  presencePublisher(presenceTopic: string): string | undefined {
    return this.events.find((e): e is PublishEvent => e.type === 'publish' && e.topic === presenceTopic && e.payloadLength > 0)?.clientId;
  }

  /** The events of one client's latest connection (a reconnect starts over). */
  ofClient(clientId: string): BrokerEvent[] {
    const mine = this.events.filter((e) => e.clientId === clientId);
    let start = -1;
    for (let i = mine.length - 1; i >= 0 && start < 0; i--) if (mine[i]?.type === 'connect') start = i;
    return start < 0 ? mine : mine.slice(start);
  }
}

export interface DevicePackets {
  clientId: string;
  connect: ConnectEvent | undefined;
  events: BrokerEvent[];
  subscribes: SubscribeEvent[];
  publishes: PublishEvent[];
}

export function devicePackets(ctx: CheckContext, serverId: string): DevicePackets | undefined {
  const capture = ctx.options.packets;
  if (!capture) return undefined;
  const clientId = capture.presencePublisher(topics.serverPresence(serverId, ctx.serverName)) ?? serverId;
  const events = capture.ofClient(clientId);
  return {
    clientId,
    connect: events.find((e): e is ConnectEvent => e.type === 'connect'),
    events,
    subscribes: events.filter((e): e is SubscribeEvent => e.type === 'subscribe'),
    publishes: events.filter((e): e is PublishEvent => e.type === 'publish'),
  };
}

export const NEEDS_PACKETS = 'needs packet mode (mqtt-mcp check --listen): only the broker sees the device\'s CONNECT';

/** The connection checks and the packet-level versions of will, session expiry, No Local, properties and topics. */
export function checkPackets(ctx: CheckContext, session: SessionUnderTest | undefined, serverId: string): void {
  const device = devicePackets(ctx, serverId);
  if (!device) {
    for (const id of ['connection.mqtt5', 'connection.connect-properties', 'connection.client-id', 'traffic.qos', 'traffic.topics']) ctx.skip(id, NEEDS_PACKETS);
    return;
  }
  const { connect } = device;
  if (!connect) {
    for (const id of ['connection.mqtt5', 'connection.connect-properties', 'connection.client-id', 'teardown.will', 'teardown.session-expiry'])
      ctx.skip(id, `no CONNECT from the device (client "${device.clientId}") was seen: it connected before the check began`);
  } else {
    checkConnect(ctx, connect, serverId);
  }
  checkDevicePublishes(ctx, device, serverId);
  if (session) checkNoLocal(ctx, device, session);
}

function checkConnect(ctx: CheckContext, connect: ConnectEvent, serverId: string): void {
  if (connect.protocolVersion === 5) ctx.record('connection.mqtt5', 'pass', 'protocol level 5', 'MQTT 5.0');
  else ctx.record('connection.mqtt5', 'fail', 'protocol level 5', `protocol level ${connect.protocolVersion} (MQTT 3.1.1 has no user properties, No Local or session expiry)`);

  const props = connect.properties.userProperties;
  const type = firstProperty(props, PROP.componentType);
  const metaText = firstProperty(props, PROP.meta);
  const expected = `${PROP.componentType}: mcp-server and ${PROP.meta}: {JSON object} in CONNECT`;
  let meta: unknown;
  try {
    meta = metaText === undefined ? undefined : JSON.parse(metaText);
  } catch {
    meta = metaText;
  }
  const metaIsObject = typeof meta === 'object' && meta !== null && !Array.isArray(meta);
  if (type !== 'mcp-server') {
    ctx.record('connection.connect-properties', 'fail', expected,
      type === undefined ? `no ${PROP.componentType} in CONNECT` : `${PROP.componentType}: ${type}`);
  } else if (metaText !== undefined && !metaIsObject) {
    ctx.record('connection.connect-properties', 'fail', expected, `${PROP.meta} is not a JSON object: ${preview(metaText, 80)}`);
  } else if (metaText === undefined) {
    ctx.record('connection.connect-properties', 'warn', expected,
      `no ${PROP.meta} (the Python and Erlang SDKs omit it too): a broker cannot assign a name or filters from it`);
  } else {
    ctx.record('connection.connect-properties', 'pass', expected, `mcp-server, ${PROP.meta} ${preview(metaText, 100)}`);
  }

  const expectedId = `client id "${serverId}" (the server-id in its topics)`;
  if (connect.clientId === serverId) ctx.record('connection.client-id', 'pass', expectedId, `client id "${connect.clientId}"`);
  else ctx.record('connection.client-id', 'fail', expectedId, `client id "${connect.clientId}", but its presence names server-id "${serverId}"`);

  const presenceTopic = topics.serverPresence(serverId, ctx.serverName);
  const expectedWill = `will on ${presenceTopic}, empty payload, RETAIN=1`;
  const will = connect.will;
  if (!will) {
    ctx.record('teardown.will', 'fail', expectedWill, 'CONNECT has no will: a crashed device stays listed as online');
  } else {
    const problems = [
      will.topic === presenceTopic ? '' : `will topic is ${will.topic}`,
      will.payload.length === 0 ? '' : `will payload is ${will.payload.length} bytes (${preview(will.payload, 40)}), not empty`,
      will.retain ? '' : 'will RETAIN=0: the empty will does not delete the retained presence, so a crashed device stays listed',
    ].filter(Boolean);
    const delay = will.properties.willDelayInterval ? `, will delay ${will.properties.willDelayInterval} s` : '';
    if (problems.length) ctx.record('teardown.will', 'fail', expectedWill, `from CONNECT: ${problems.join('; ')}`);
    else ctx.record('teardown.will', 'pass', expectedWill, `from CONNECT: will RETAIN=1, empty payload, QoS ${will.qos}${delay}`);
  }

  const expiry = connect.properties.sessionExpiryInterval ?? 0;
  const expectedExpiry = 'Session Expiry Interval 0 (or absent) in CONNECT';
  if (expiry === 0) ctx.record('teardown.session-expiry', 'pass', expectedExpiry, `from CONNECT: ${connect.properties.sessionExpiryInterval === undefined ? 'absent (0)' : '0'}`);
  else ctx.record('teardown.session-expiry', 'fail', expectedExpiry, `from CONNECT: ${expiry} s, so brokers keep its session and queue requests while it is away`);
}

function checkDevicePublishes(ctx: CheckContext, device: DevicePackets, serverId: string): void {
  const { publishes } = device;
  // Every PUBLISH, including answers to clients the checker did not start.
  const mcp = publishes.filter((p) => p.topic.startsWith('$mcp'));
  if (mcp.length) {
    const expected = `${PROP.componentType}: mcp-server and ${PROP.clientId}: ${serverId} on every PUBLISH`;
    const bad = mcp.flatMap((p) => {
      const type = firstProperty(p.properties.userProperties, PROP.componentType);
      const id = firstProperty(p.properties.userProperties, PROP.clientId);
      const issues = [type === 'mcp-server' ? '' : type === undefined ? `no ${PROP.componentType}` : `${PROP.componentType}: ${type}`,
        id === serverId ? '' : id === undefined ? `no ${PROP.clientId}` : `${PROP.clientId}: ${id}`].filter(Boolean);
      return issues.length ? [`PUBLISH on ${p.topic}: ${issues.join(', ')}`] : [];
    });
    if (bad.length) ctx.record('traffic.user-properties', 'fail', expected, `${bad.length} of ${mcp.length} PUBLISH packets: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? '; …' : ''}`, { publishes: mcp.length, bad: bad.length });
    else ctx.record('traffic.user-properties', 'pass', expected, `${mcp.length} PUBLISH packets, all with both properties`, { publishes: mcp.length });
  }

  const counts: Record<number, number> = { 0: 0, 1: 0, 2: 0 };
  for (const p of publishes) counts[p.qos] = (counts[p.qos] ?? 0) + 1;
  const subQos = device.subscribes.flatMap((s) => s.subscriptions.map((x) => x.qos));
  const qosText = `PUBLISH at QoS 0: ${counts[0]}, QoS 1: ${counts[1]}, QoS 2: ${counts[2]}; SUBSCRIBE at QoS ${[...new Set(subQos)].sort().join('/') || '-'}`;
  if (counts[2] || subQos.includes(2))
    ctx.record('traffic.qos', 'warn', 'QoS 0 or 1', `${qosText}: QoS 2 is refused by brokers with Maximum QoS 1 (this one included) and used by no SDK`);
  else ctx.record('traffic.qos', 'pass', 'QoS 0 or 1', qosText);

  const expectedTopics = `$mcp-... topics with server-id "${serverId}" and server-name "${ctx.serverName}"; a subscription to the control topic`;
  const problems: string[] = [];
  for (const p of mcp) {
    const parsed = parseTopic(p.topic);
    if (!parsed) problems.push(`PUBLISH on ${p.topic}, which is no MCP-over-MQTT topic`);
    else if (parsed.kind === 'client-presence' || parsed.kind === 'client-capability') problems.push(`PUBLISH on ${p.topic}, a topic only clients publish on`);
    else if (parsed.kind === 'legacy-rpc' || parsed.kind === 'server-control') continue; // reported by traffic.legacy-topics and initialize.answer-topic
    else if (parsed.serverId !== serverId) problems.push(`PUBLISH on ${p.topic} with server-id "${parsed.serverId}"`);
    else if (parsed.serverName !== ctx.serverName) problems.push(`PUBLISH on ${p.topic} with server-name "${parsed.serverName}"`);
  }
  const suggested = firstProperty(device.connect?.connackUserProperties, PROP.serverName);
  if (suggested !== undefined && suggested !== ctx.serverName) problems.push(`CONNACK suggested ${PROP.serverName} "${suggested}", but the device uses "${ctx.serverName}"`);
  const control = topics.serverControl(serverId, ctx.serverName);
  if (!device.subscribes.some((s) => s.subscriptions.some((x) => topicMatches(x.filter, control)))) problems.push(`no SUBSCRIBE covers the control topic ${control}`);
  const others = new Set(publishes.filter((p) => !p.topic.startsWith('$mcp')).map((p) => p.topic)).size;
  const note = others ? `; also publishes on ${others} non-MCP topic(s)` : '';
  if (problems.length) ctx.record('traffic.topics', 'fail', expectedTopics, problems.slice(0, 3).join('; ') + (problems.length > 3 ? '; …' : '') + note);
  else ctx.record('traffic.topics', 'pass', expectedTopics, `${mcp.length} PUBLISH packets on its own topics${suggested ? `, using the suggested name "${suggested}"` : ''}${note}`);
}

function checkNoLocal(ctx: CheckContext, device: DevicePackets, session: SessionUnderTest): void {
  const covering = device.subscribes.flatMap((s) => s.subscriptions).filter((x) => topicMatches(x.filter, session.rpcTopic));
  const prior = ctx.results.get('traffic.no-echo');
  const expected = `every SUBSCRIBE covering ${session.rpcTopic} has No Local`;
  if (covering.length === 0) return ctx.skip('traffic.no-echo', `no SUBSCRIBE covering ${session.rpcTopic} was seen`);
  const without = covering.filter((x) => !x.nl);
  if (without.length)
    ctx.record('traffic.no-echo', 'fail', expected,
      `SUBSCRIBE ${without.map((x) => x.filter).join(', ')} without No Local: the device receives every message it publishes there${prior?.verdict === 'fail' ? `; and ${prior.observed}` : ''}`);
  else if (prior?.verdict === 'fail') ctx.record('traffic.no-echo', 'fail', expected, `No Local is set, but ${prior.observed}`);
  else ctx.record('traffic.no-echo', 'pass', expected, `SUBSCRIBE ${covering.map((x) => x.filter).join(', ')} with No Local`);
}

/** Where, relative to the initialize reply, the device subscribed to each of one client's topics. */
export interface SubscriptionTiming {
  kind: 'rpc' | 'presence' | 'capability';
  topic: string;
  /** Undefined when the reply was not seen; false also when never subscribed. */
  before: boolean | undefined;
  never: boolean;
  text: string;
}

export function subscriptionOrder(ctx: CheckContext, session: SessionUnderTest): SubscriptionTiming[] | undefined {
  const device = devicePackets(ctx, session.serverId);
  if (!device) return undefined;
  const cid = session.probe.clientId;
  const reply = device.events.findIndex((e) => isReplyTo(e, session));
  const wanted = [['rpc', session.rpcTopic], ['presence', topics.clientPresence(cid)], ['capability', topics.clientCapability(cid)]] as const;
  return wanted.map(([kind, topic]) => {
    const index = device.events.findIndex((e) => e.type === 'subscribe' && e.subscriptions.some((x) => topicMatches(x.filter, topic)));
    if (reply < 0) return { kind, topic, before: undefined, never: index < 0, text: `${topic}: the reply PUBLISH was not seen` };
    if (index < 0) return { kind, topic, before: false, never: true, text: `${topic}: never subscribed` };
    const gap = (device.events[index] as SubscribeEvent).at - (device.events[reply] as PublishEvent).at;
    const when = `${Math.abs(gap) < 10 ? Math.abs(gap).toFixed(1) : Math.round(Math.abs(gap))} ms`;
    const before = index < reply;
    return { kind, topic, before, never: false, text: `${topic}: SUBSCRIBE ${when} ${before ? 'before' : 'after'} the reply` };
  });
}

function isReplyTo(e: BrokerEvent, session: SessionUnderTest): boolean {
  if (e.type !== 'publish' || e.topic !== session.initialize.observation.topic) return false;
  try {
    const m = JSON.parse(e.payload.toString('utf8')) as { id?: unknown; method?: unknown };
    return m.id === session.initialize.message.id && m.method === undefined;
  } catch {
    return false;
  }
}
