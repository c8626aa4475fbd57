// Teardown checks (spec §8 items 4, 5, 19): de-initialize ends the session; and, only with the user's
// consent, that a device that drops off leaves neither its presence nor its MQTT session behind.
import mqtt from 'mqtt';
import { DISCONNECTED_METHOD } from '../protocol/presence.js';
import { toClientOptions } from '../mqtt/options.js';
import { topics } from '../protocol/topics.js';
import { type CheckContext, type SessionUnderTest, ms, seconds } from './context.js';
import { ClientProbe, delay, freshSubscriberView } from './probe.js';

/** Time for the device to act on notifications/disconnected before the probe request goes out. */
const DEINITIALIZE_SETTLE_MS = 250;

export async function checkDeinitialize(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const { probe } = session;
  await probe.send(session.rpcTopic, { method: DISCONNECTED_METHOD });
  await delay(DEINITIALIZE_SETTLE_MS);
  const { answer } = await probe.call(session.rpcTopic, session.serverId, 'ping', undefined, ctx.timeouts.silenceMs);
  const expected = `no answer to a ping sent after notifications/disconnected (waited ${seconds(ctx.timeouts.silenceMs)})`;
  if (answer)
    ctx.record('teardown.deinitialize', 'fail', expected,
      `the ping was answered after ${ms(answer.elapsedMs)}: the server kept the session and its subscriptions, which pile up with every client`);
  else ctx.record('teardown.deinitialize', 'pass', expected, 'no answer: the session ended');
}

export async function checkCrash(ctx: CheckContext, serverId: string): Promise<void> {
  const crash = ctx.options.crashTest;
  if (!crash) {
    ctx.skip('teardown.will', 'needs --crash-test (the device must drop off the network)');
    ctx.skip('teardown.session-expiry', 'needs --crash-test (the device must drop off the network)');
    return;
  }
  const presenceTopic = topics.serverPresence(serverId, ctx.serverName);
  const watcher = ctx.adopt(new ClientProbe(ctx.options.broker, ctx.options.events));
  await watcher.open();
  await watcher.listen(presenceTopic);
  await watcher.sync();
  const before = watcher.observations.length;
  await crash.trigger();
  const started = Date.now();
  const will = await watcher.waitFor((o) => o.seq >= before && o.payload.length === 0, ctx.timeouts.willMs);
  const waited = Date.now() - started;

  // Before anything else: the broker may drop a session with a short expiry at any moment.
  await checkSessionExpiry(ctx, serverId);

  const left = (await freshSubscriberView(ctx.options.broker, presenceTopic)).filter((o) => o.retain && o.payload.length > 0);
  const expected = `an empty retained message on ${presenceTopic} within ${seconds(ctx.timeouts.willMs)}, after which no presence is retained`;
  if (will && left.length === 0) ctx.record('teardown.will', 'pass', expected, `empty will after ${ms(waited)}; no presence retained`);
  else if (will)
    ctx.record('teardown.will', 'fail', expected,
      'an empty will arrived, but the online message is still retained: the will lacks RETAIN, so clients keep listing a dead device');
  else if (left.length)
    ctx.record('teardown.will', 'fail', expected, `no will within ${seconds(ctx.timeouts.willMs)}, and the online message is still retained`);
  else ctx.record('teardown.will', 'fail', expected, `no will within ${seconds(ctx.timeouts.willMs)}`);
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
    ctx.record('teardown.session-expiry', 'warn', expected,
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
