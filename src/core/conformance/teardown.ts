// Teardown checks (spec §8 items 4, 5, 19): de-initialize ends the session; and, only with the user's
// consent, that a device that drops off leaves neither its presence nor its MQTT session behind.
import mqtt from 'mqtt';
import { DISCONNECTED_METHOD } from '../protocol/presence.js';
import { toClientOptions } from '../mqtt/options.js';
import { topics } from '../protocol/topics.js';
import type { BrokerConfig } from '../mqtt/options.js';
import { type CheckContext, type SessionUnderTest, ms, seconds } from './context.js';
import type { CrashTest } from './types.js';
import { ClientProbe, delay, freshSubscriberView } from './probe.js';
import { SETTLE_MS, noProbeReason } from './subscriptions.js';

export async function checkDeinitialize(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const { probe } = session;
  // Silence proves something only for a request the server otherwise answers.
  const method = session.probeMethod;
  if (!method) return ctx.skip('teardown.deinitialize', noProbeReason(session));
  await probe.send(session.rpcTopic, { method: DISCONNECTED_METHOD });
  await delay(SETTLE_MS);
  const { answer } = await probe.call(session.rpcTopic, session.serverId, method, undefined, ctx.timeouts.silenceMs);
  const expected = `no answer to ${method} (which it answered before) sent after notifications/disconnected (waited ${seconds(ctx.timeouts.silenceMs)})`;
  if (answer)
    ctx.record('teardown.deinitialize', 'fail', expected,
      `${method} was answered after ${ms(answer.elapsedMs)}: the server kept the session and its subscriptions, which pile up with every client`);
  else ctx.record('teardown.deinitialize', 'pass', expected, 'no answer: the session ended');
}

export async function checkCrash(ctx: CheckContext, serverId: string): Promise<void> {
  const crash = ctx.options.crashTest;
  // In packet mode both were judged from CONNECT already; a crash test then only adds what it sees.
  const fromPackets = ctx.results.get('teardown.will');
  if (!crash) {
    if (!fromPackets) ctx.skip('teardown.will', 'needs --crash-test (the device must drop off the network) or packet mode (--listen)');
    if (!ctx.results.has('teardown.session-expiry')) ctx.skip('teardown.session-expiry', 'needs --crash-test=manual (the device must drop off the network) or packet mode (--listen)');
    return;
  }
  const presenceTopic = topics.serverPresence(serverId, ctx.serverName);
  const watcher = ctx.adopt(new ClientProbe(ctx.options.broker, ctx.options.events));
  await watcher.open();
  await watcher.listen(presenceTopic);
  await watcher.sync();
  const before = watcher.observations.length;
  const started = Date.now();
  let will: Awaited<ReturnType<typeof watcher.waitFor>>;
  let left: unknown[];
  try {
    await crash.trigger(serverId);
    will = await watcher.waitFor((o) => o.seq >= before && o.payload.length === 0, ctx.timeouts.willMs);
    // Before anything else: the broker may drop a session with a short expiry at any moment.
    if (crash.endsSession) {
      if (!ctx.results.has('teardown.session-expiry'))
        ctx.skip('teardown.session-expiry', 'not observable after a takeover, which ends the device\'s session itself (use --crash-test=manual or --listen)');
    } else if (!ctx.results.has('teardown.session-expiry')) {
      await checkSessionExpiry(ctx, serverId);
    }
    left = (await freshSubscriberView(ctx.options.broker, presenceTopic)).filter((o) => o.retain && o.payload.length > 0);
  } finally {
    await crash.release?.().catch(() => undefined);
  }
  const waited = Date.now() - started;
  const expected = `an empty retained message on ${presenceTopic} within ${seconds(ctx.timeouts.willMs)}, after which no presence is retained`;
  const packetNote = fromPackets ? `${fromPackets.observed}; crash test: ` : '';
  const record = (verdict: 'pass' | 'fail', observed: string): void =>
    ctx.record('teardown.will', fromPackets?.verdict === 'fail' ? 'fail' : verdict, fromPackets?.expected ?? expected, packetNote + observed);
  if (will && left.length === 0) record('pass', `empty will after ${ms(waited)}; no presence retained`);
  else if (will) record('fail', 'an empty will arrived, but the online message is still retained: the will lacks RETAIN, so clients keep listing a dead device');
  else if (left.length) record('fail', `no will within ${seconds(ctx.timeouts.willMs)}, and the online message is still retained`);
  else record('fail', `no will within ${seconds(ctx.timeouts.willMs)}`);
}

/**
 * The automated crash: connect with the device's own client id. The broker must then close the device's
 * connection without DISCONNECT (MQTT 5 §3.1.4, session takeover) and publish its will. It disconnects the
 * device, which may or may not reconnect by itself.
 */
export function takeoverCrashTest(broker: BrokerConfig): CrashTest {
  let client: mqtt.MqttClient | undefined;
  return {
    endsSession: true,
    trigger: (serverId) =>
      new Promise<void>((resolve, reject) => {
        const c = mqtt.connect({
          ...toClientOptions(broker),
          clientId: serverId,
          protocolVersion: 5,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
          properties: { sessionExpiryInterval: 0 },
        });
        client = c;
        c.once('connect', () => resolve());
        c.once('error', (e) => reject(new Error(`takeover connection as "${serverId}" failed: ${e.message}`)));
        // The device reconnecting takes the id back; that is expected, not an error.
        c.on('error', () => undefined);
      }),
    async release() {
      const c = client;
      client = undefined;
      if (c) await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
    },
  };
}

/**
 * The device is gone, so its client id is free: a connection that asks to resume that id's session learns
 * from CONNACK whether the broker kept one, which happens only when the device set a session expiry above 0.
 * Brokers that cap session expiry at 0 hide the setting, and then this passes.
 */
async function checkSessionExpiry(ctx: CheckContext, serverId: string): Promise<void> {
  const expected = 'no session kept after the device dropped (Session Expiry Interval 0)';
  let sessionPresent: boolean;
  try {
    sessionPresent = await resumeSession(ctx, serverId);
  } catch (e) {
    return ctx.skip('teardown.session-expiry', `could not connect as "${serverId}" to look: ${(e as Error).message}`);
  }
  if (sessionPresent)
    ctx.record('teardown.session-expiry', 'fail', expected,
      'the broker kept the device\'s session: it connects with a Session Expiry Interval above 0, so requests queue up for it while it is away');
  else ctx.record('teardown.session-expiry', 'pass', expected, 'no session was kept');
}

function resumeSession(ctx: CheckContext, serverId: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      ...toClientOptions(ctx.options.broker),
      clientId: serverId,
      protocolVersion: 5,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      // Ending this connection must also end whatever session it resumed.
      properties: { sessionExpiryInterval: 0 },
    });
    client.once('connect', (connack) => {
      client.end(true);
      resolve(connack.sessionPresent);
    });
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
  });
}
