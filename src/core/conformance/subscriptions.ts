// Does the server listen on a client's topics, and from when (spec §5.3 step 4, §8 items 12 and 19)?
// Behavioural probes use a method the server has been seen to answer, so a server without ping is not
// mistaken for one that is not listening; what cannot be observed is said, not guessed. In packet mode the
// SUBSCRIBE packets themselves decide.
import { DISCONNECTED_METHOD } from '../protocol/presence.js';
import { TOPIC_ROOT, topics } from '../protocol/topics.js';
import { type CheckContext, type SessionUnderTest, ms, seconds } from './context.js';
import { probeMethods } from './initialize.js';
import { subscriptionOrder } from './packets.js';
import { ClientProbe, delay } from './probe.js';

/** Time for the device to act on notifications/disconnected before the next request goes out. */
export const SETTLE_MS = 250;
/** How long a session must have existed to count as set up, even at a server that subscribes late. */
const ESTABLISHED_MS = 1000;

const INITIALIZE_PARAMS = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mqtt-mcp-check', version: '0.1.0' } };

/** Picks the probe method: the first of ping, tools/list, ... (advertised) that the server answered at all. */
export function chooseProbeMethod(session: SessionUnderTest): string | undefined {
  const { probe } = session;
  const answered = new Set([...probe.requests.values()].filter((r) => r.serverId === session.serverId && probe.answersTo(r.id).length > 0).map((r) => r.method));
  return probeMethods(session.capabilities).find((m) => answered.has(m));
}

export function noProbeReason(session: SessionUnderTest): string {
  return `the server answered none of ${probeMethods(session.capabilities).join(', ')}, so there is no request whose answer (or silence) shows whether it listens`;
}

/** One more client session with the device; `onReply` runs the instant the initialize response arrives. */
async function extraSession(ctx: CheckContext, session: SessionUnderTest, onReply: (probe: ClientProbe, rpcTopic: string) => void): Promise<{ probe: ClientProbe; rpcTopic: string } | undefined> {
  const probe = ctx.adopt(new ClientProbe(ctx.options.broker, ctx.options.events));
  await probe.open();
  const rpcTopic = session.legacy ? topics.legacyRpc(probe.clientId, ctx.serverName) : topics.rpc(probe.clientId, session.serverId, ctx.serverName);
  await probe.listen(`${session.legacy ? TOPIC_ROOT.legacyRpc : TOPIC_ROOT.rpc}/${probe.clientId}/#`, true);
  const initialize = probe.request(session.controlTopic, session.serverId, 'initialize', INITIALIZE_PARAMS);
  probe.onAnswer(initialize, () => onReply(probe, rpcTopic));
  const answer = await probe.answer(initialize, ctx.timeouts.initializeMs);
  return answer ? { probe, rpcTopic } : undefined;
}

/** Whether a request sent `SETTLE_MS` after notifications/disconnected on the client presence topic is still answered. */
async function answeredAfterPresenceNotice(ctx: CheckContext, probe: ClientProbe, rpcTopic: string, serverId: string, method: string): Promise<boolean> {
  await delay(SETTLE_MS);
  const { answer } = await probe.call(rpcTopic, serverId, method, undefined, ctx.timeouts.silenceMs);
  return answer !== undefined;
}

/**
 * initialize.subscribed-before-reply and teardown.client-presence. Runs after the operation checks, which
 * showed which methods the server answers.
 */
export async function checkSubscriptions(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  session.probeMethod = chooseProbeMethod(session);
  const method = session.probeMethod;
  const presenceTopic = (cid: string): string => topics.clientPresence(cid);

  // Steady state first: does the server act on client presence at all?
  let presenceHeard: boolean | undefined;
  if (!method) {
    ctx.skip('teardown.client-presence', noProbeReason(session));
  } else {
    const steady = await extraSession(ctx, session, (probe, rpcTopic) => void probe.send(rpcTopic, { method: 'notifications/initialized' }).catch(() => undefined));
    const alive = steady && (await steady.probe.call(steady.rpcTopic, session.serverId, method, undefined, ctx.timeouts.pingMs)).answer;
    if (!steady || !alive) {
      ctx.skip('teardown.client-presence', `a second session ${steady ? `did not answer ${method}` : 'could not be initialized'}, so there was nothing to end`);
    } else {
      await delay(ESTABLISHED_MS);
      await steady.probe.send(presenceTopic(steady.probe.clientId), { method: DISCONNECTED_METHOD });
      const stillAnswers = await answeredAfterPresenceNotice(ctx, steady.probe, steady.rpcTopic, session.serverId, method);
      presenceHeard = !stillAnswers;
      const expected = `no answer to ${method} sent after notifications/disconnected on $mcp-client/presence/{mcp-client-id} (waited ${seconds(ctx.timeouts.silenceMs)})`;
      if (stillAnswers)
        ctx.record('teardown.client-presence', 'fail', expected,
          `${method} was still answered: the server does not listen on ${presenceTopic(steady.probe.clientId)} (or ignores notifications/disconnected there), so sessions of crashed clients, whose will goes there, are never torn down`);
      else ctx.record('teardown.client-presence', 'pass', expected, 'no answer: the session ended');
    }
  }

  const parts: string[] = [];
  let late = false;
  let observedAny = false;
  const packets = subscriptionOrder(ctx, session);

  // The RPC topic: the requests sent the instant the reply arrived.
  const followUpAnswered = session.followUps.find((r) => session.probe.answersTo(r.id).length > 0);
  if (followUpAnswered) {
    observedAny = true;
    const answer = session.probe.answersTo(followUpAnswered.id)[0];
    parts.push(`RPC topic: ${followUpAnswered.method} sent right after the reply was answered${answer ? ` after ${ms(answer.at - followUpAnswered.sentAt)}` : ''}`);
  } else if (method) {
    observedAny = true;
    late = true;
    parts.push(`RPC topic: ${session.followUps.map((r) => r.method).join(' and ') || 'the requests'} sent right after the reply went unanswered, while later ${method} requests were answered: the server subscribed to ${session.rpcTopic} only after replying, so a fast client's first request is lost`);
  } else {
    parts.push(`RPC topic: not judged (${noProbeReason(session)})`);
  }

  // The client presence topic: notifications/disconnected the instant the reply arrived must end the session.
  if (method && presenceHeard) {
    const quick = await extraSession(ctx, session, (probe) => void probe.send(presenceTopic(probe.clientId), { method: DISCONNECTED_METHOD }).catch(() => undefined));
    if (!quick) parts.push('client presence: not judged (a further session could not be initialized)');
    else if (await answeredAfterPresenceNotice(ctx, quick.probe, quick.rpcTopic, session.serverId, method)) {
      observedAny = true;
      late = true;
      parts.push(`client presence: notifications/disconnected sent right after the reply was missed (the session lived on), though the server acts on it later: it subscribed to $mcp-client/presence/{mcp-client-id} only after replying`);
    } else {
      observedAny = true;
      parts.push('client presence: notifications/disconnected sent right after the reply ended the session');
    }
  } else if (method && presenceHeard === false) {
    parts.push('client presence: the server never acts on it (reported by teardown.client-presence)');
  } else {
    parts.push('client presence: not judged');
  }

  if (!packets) parts.push('client capability: not observable from outside the broker (no client-to-server capability message has a visible effect); packet mode (--listen) shows the SUBSCRIBE');

  // Packet mode: the SUBSCRIBE packets decide, whatever the behaviour suggested.
  if (packets) {
    // A presence topic never subscribed to is teardown.client-presence's finding, not an ordering one.
    const judged = packets.filter((p) => p.before !== undefined && !(p.kind === 'presence' && p.never && presenceHeard === false));
    if (judged.length) {
      observedAny = true;
      late = judged.some((p) => p.before === false) || (late && judged.length < packets.length);
      parts.unshift(`from packets: ${packets.map((p) => p.text).join('; ')}`);
    }
  }

  const expected = `SUBSCRIBE to ${session.rpcTopic}, $mcp-client/presence/{mcp-client-id} and $mcp-client/capability/{mcp-client-id} before the initialize response`;
  if (!observedAny) ctx.skip('initialize.subscribed-before-reply', parts.join('; '));
  else ctx.record('initialize.subscribed-before-reply', late ? 'fail' : 'pass', expected, parts.join('; '));
}
