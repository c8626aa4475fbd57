// Checks over everything the device published during the run (spec §8 items 10, 13, 16-18): user properties,
// which topics carried what, legacy topics, and answers nobody asked for. Evaluated once the traffic is in.
import { CAPABILITY_METHODS } from '../transport/jsonrpc.js';
import { PROP, firstProperty } from '../protocol/properties.js';
import { TOPIC_ROOT, parseTopic } from '../protocol/topics.js';
import { type CheckContext, type SessionUnderTest, preview } from './context.js';
import type { Observation } from './probe.js';

/** Which capability flag makes each notification legitimate (MCP server capabilities). */
const REQUIRED_CAPABILITY: Record<string, [string, string]> = {
  'notifications/tools/list_changed': ['tools', 'listChanged'],
  'notifications/resources/list_changed': ['resources', 'listChanged'],
  'notifications/prompts/list_changed': ['prompts', 'listChanged'],
  'notifications/resources/updated': ['resources', 'subscribe'],
};

function isCapabilityNotification(o: Observation): boolean {
  const m = o.json;
  return m !== undefined && typeof m.method === 'string' && CAPABILITY_METHODS.has(m.method) && !('id' in m);
}

/** Calls the user's trigger and waits until a capability notification shows up anywhere the probe listens. */
export async function provokeCapabilityNotification(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const trigger = ctx.options.triggerListChanged;
  if (!trigger) return;
  const before = session.probe.observations.length;
  await trigger();
  await session.probe.waitFor((o) => o.seq >= before && isCapabilityNotification(o) && !fromOtherInstance(session, o), ctx.timeouts.notificationMs);
}

/** The capability filters hear every server on the broker: another instance's notification is not this one's. */
function fromOtherInstance(session: SessionUnderTest, o: Observation): boolean {
  const parsed = parseTopic(o.topic);
  return parsed?.kind === 'server-capability' && parsed.serverId !== session.serverId;
}

/** Legacy topics the device used: `$mcp-rpc-endpoint/...`, `.../capability/{list-changed|resource-updated}/...`, `$mcp-rpc/{cid}/{name}`. */
function isLegacyTopic(ctx: CheckContext, session: SessionUnderTest, topic: string): boolean {
  if (topic.startsWith(`${TOPIC_ROOT.legacyRpc}/`)) return true;
  if (topic === `${TOPIC_ROOT.rpc}/${session.probe.clientId}/${ctx.serverName}`) return true;
  const parsed = parseTopic(topic);
  return parsed?.kind === 'server-capability' && parsed.legacy !== undefined;
}

/** The messages the device under test published to the checker's clients, presence included. */
function devicePublishes(ctx: CheckContext, session: SessionUnderTest): Observation[] {
  const out: Observation[] = ctx.presence ? [ctx.presence] : [];
  for (const probe of ctx.probes) {
    for (const o of probe.observations) {
      const parsed = parseTopic(o.topic);
      if (!parsed || parsed.kind === 'server-presence') continue;
      if (parsed.kind === 'legacy-rpc') out.push(o);
      else if (parsed.kind === 'rpc') {
        if (parsed.serverId === session.serverId || isLegacyTopic(ctx, session, o.topic)) out.push(o);
      } else if (parsed.kind === 'server-capability') {
        // Legacy capability topics carry the instance id too: another device's are not this device's findings.
        if (parsed.serverId === session.serverId) out.push(o);
      } else if (parsed.kind === 'server-control') {
        // Other clients' requests pass by on the control topic; only answers there come from the device.
        if (parsed.serverId === session.serverId && o.json && !('method' in o.json)) out.push(o);
      }
    }
  }
  return out;
}

export function checkTraffic(ctx: CheckContext, session: SessionUnderTest): void {
  const publishes = devicePublishes(ctx, session);
  checkUserProperties(ctx, session, publishes);
  checkRpcTopic(ctx, session, publishes);
  checkCapabilityTopic(ctx, session, publishes);
  checkLegacyTopics(ctx, session, publishes);
  checkNoEcho(ctx, session, publishes);
}

function checkUserProperties(ctx: CheckContext, session: SessionUnderTest, publishes: Observation[]): void {
  const expected = `${PROP.componentType}: mcp-server and ${PROP.clientId}: ${session.serverId} on every publish`;
  if (publishes.length === 0) return ctx.skip('traffic.user-properties', 'no publish from the device was received');
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const o of publishes) {
    const type = firstProperty(o.userProperties, PROP.componentType);
    const id = firstProperty(o.userProperties, PROP.clientId);
    const absent = [type === undefined ? PROP.componentType : '', id === undefined ? PROP.clientId : ''].filter(Boolean);
    if (absent.length) missing.push(`${describe(o)} lacks ${absent.join(' and ')}`);
    if (type !== undefined && type !== 'mcp-server') wrong.push(`${describe(o)} has ${PROP.componentType}: ${type}`);
    if (id !== undefined && id !== session.serverId) wrong.push(`${describe(o)} has ${PROP.clientId}: ${id}`);
  }
  const data = { publishes: publishes.length, missing: missing.length, wrong: wrong.length };
  // A MUST: tolerant clients cope, but brokers, gateways and bridges that route or authorize on them cannot.
  if (wrong.length || missing.length)
    ctx.record('traffic.user-properties', 'fail', expected, summarize([...wrong, ...missing], publishes.length), data);
  else ctx.record('traffic.user-properties', 'pass', expected, `${publishes.length} publishes, all with both properties`, data);
}

function checkRpcTopic(ctx: CheckContext, session: SessionUnderTest, publishes: Observation[]): void {
  const { probe } = session;
  const expected = `responses and server requests only on ${session.rpcTopic}, one response per request`;
  const problems: string[] = [];
  let answered = 0;
  for (const request of probe.requests.values()) {
    if (request.serverId !== session.serverId || request.method === 'initialize') continue;
    const answers = probe.answersTo(request.id);
    if (answers.length === 0) continue;
    answered++;
    // Legacy topics are reported once, by traffic.legacy-topics.
    const misplaced = answers.filter((a) => a.topic !== session.rpcTopic && !isLegacyTopic(ctx, session, a.topic));
    for (const a of misplaced) problems.push(`${request.method} #${request.id} answered on ${a.topic}`);
    if (answers.length > 1) problems.push(`${request.method} #${request.id} answered ${answers.length} times`);
  }
  for (const o of publishes) {
    const m = o.json;
    if (m && typeof m.method === 'string' && 'id' in m && o.topic !== session.rpcTopic && !isLegacyTopic(ctx, session, o.topic))
      problems.push(`server request ${m.method} on ${o.topic}`);
  }
  if (problems.length) ctx.record('traffic.rpc-topic', 'fail', expected, summarize(problems));
  else if (answered === 0) ctx.skip('traffic.rpc-topic', 'no request after initialize was answered');
  else ctx.record('traffic.rpc-topic', 'pass', expected, `${answered} responses, each once, on the RPC topic`);
}

function checkCapabilityTopic(ctx: CheckContext, session: SessionUnderTest, publishes: Observation[]): void {
  const notifications = publishes.filter(isCapabilityNotification);
  const hint = ctx.options.triggerListChanged ? '' : ' (nothing provoked one during the run)';
  const expected = `only on ${session.capabilityTopic}`;
  const onRpc = notifications.filter((o) => parseTopic(o.topic)?.kind === 'rpc' && !isLegacyTopic(ctx, session, o.topic));
  const onCapability = notifications.filter((o) => o.topic === session.capabilityTopic);
  if (onRpc.length)
    ctx.record('traffic.capability-topic', 'fail', expected,
      `${summarize(onRpc.map(describe))}: clients listen for list_changed on the capability topic, which is shared by all of the instance's clients`);
  else if (onCapability.length) ctx.record('traffic.capability-topic', 'pass', expected, summarize(onCapability.map(describe)));
  else if (notifications.length) ctx.skip('traffic.capability-topic', 'capability notifications appeared only on legacy topics: reported by traffic.legacy-topics');
  else ctx.skip('traffic.capability-topic', `no capability notification was observed${hint}`);

  const expectedFlag = 'each notification matches an advertised capability flag (e.g. tools.listChanged)';
  if (notifications.length === 0) return ctx.skip('traffic.capability-advertised', `no capability notification was observed${hint}`);
  const unadvertised = notifications.flatMap((o) => {
    const method = o.json?.method as string;
    const [capability, flag] = REQUIRED_CAPABILITY[method] ?? ['', ''];
    const advertised = session.capabilities[capability] as Record<string, unknown> | undefined;
    return advertised?.[flag] === true ? [] : [`${method} without ${capability}.${flag} in the initialize result`];
  });
  if (unadvertised.length) ctx.record('traffic.capability-advertised', 'warn', expectedFlag, `${summarize(unadvertised)}: clients may ignore it`);
  else ctx.record('traffic.capability-advertised', 'pass', expectedFlag, `${notifications.length} notification(s), all advertised`);
}

function checkLegacyTopics(ctx: CheckContext, session: SessionUnderTest, publishes: Observation[]): void {
  const expected = 'nothing on $mcp-rpc-endpoint/..., $mcp-server/capability/list-changed/... or .../resource-updated/...';
  const legacy = publishes.filter((o) => isLegacyTopic(ctx, session, o.topic));
  if (legacy.length)
    ctx.record('traffic.legacy-topics', 'fail', expected,
      `${summarize(legacy.map(describe))}: pre-2025-06-19 topics, which clients following the current spec never subscribe to`);
  else ctx.record('traffic.legacy-topics', 'pass', expected, 'no legacy topics used');
}

function checkNoEcho(ctx: CheckContext, session: SessionUnderTest, publishes: Observation[]): void {
  const expected = 'no responses to ids the client never sent';
  const fromDevice = new Set(publishes);
  // Ids are per probe (each is its own client), so a response is matched against the requests of the probe that got it.
  const unsolicited = ctx.probes.flatMap((probe) =>
    probe.observations.filter((o) => fromDevice.has(o) && o.json && !('method' in o.json) && !probe.requests.has(o.json.id as number)),
  );
  if (unsolicited.length)
    ctx.record('traffic.no-echo', 'fail', expected,
      `${summarize(unsolicited.map((o) => `${describe(o)} ${preview(o.payload, 60)}`))}: the server may be receiving its own messages (No Local missing on ${session.rpcTopic})`);
  else
    ctx.record('traffic.no-echo', 'pass', expected,
      'no answers to ids never sent; the No Local flag itself is visible only in packet mode (--listen), so a device that silently drops its own messages passes here');
}

function describe(o: Observation): string {
  const m = o.json;
  const what = m ? (typeof m.method === 'string' ? m.method : `response #${String(m.id)}`) : o.payload.length === 0 ? 'empty message' : 'non-JSON message';
  return `${what} on ${o.topic}`;
}

function summarize(items: string[], total?: number): string {
  const shown = items.slice(0, 3).join('; ');
  const more = items.length > 3 ? `; … ${items.length - 3} more` : '';
  return `${total !== undefined ? `${items.length} of ${total}: ` : ''}${shown}${more}`;
}
