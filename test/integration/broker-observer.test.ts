// The embedded broker's generic observer hook: what it reports of each client's packets, and that a
// failing observer costs nobody their connection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedBroker, type BrokerEvent } from '../../src/core/broker/index.js';
import { connectRawMqtt, endAsync, publishAsync, subscribeAsync, waitUntil } from '../fixtures/raw-device.js';

describe('embedded broker observer', () => {
  const events: BrokerEvent[] = [];
  let broker: EmbeddedBroker;
  let url: string;
  before(async () => {
    broker = new EmbeddedBroker({ observe: (e) => events.push(e) });
    ({ url } = await broker.start());
  });
  after(() => broker.stop());

  it('reports CONNECT (properties and will), SUBSCRIBE options, PUBLISH, PUBACK, DISCONNECT and close, in order', async () => {
    const device = await connectRawMqtt(url, 'observed-device', {
      keepalive: 30,
      properties: { sessionExpiryInterval: 7, userProperties: { 'X-KIND': 'test' } },
      will: { topic: 'wills/observed', payload: Buffer.from('gone'), qos: 1, retain: true, properties: { willDelayInterval: 2 } },
    });
    await subscribeAsync(device, { 'a/+': { qos: 1, nl: true } });
    const peer = await connectRawMqtt(url, 'observed-peer');
    await publishAsync(peer, 'a/b', 'hello', { qos: 1, retain: true, properties: { userProperties: { k: 'v' } } });
    await waitUntil(() => events.some((e) => e.type === 'puback' && e.clientId === 'observed-device'), 'the device to acknowledge');
    await endAsync(device);
    await waitUntil(() => events.some((e) => e.type === 'close' && e.clientId === 'observed-device'), 'the close');

    const mine = events.filter((e) => e.clientId === 'observed-device').map((e) => e.type);
    assert.deepEqual(mine, ['connect', 'subscribe', 'puback', 'disconnect', 'close']);
    const connect = events.find((e) => e.type === 'connect' && e.clientId === 'observed-device');
    assert.ok(connect?.type === 'connect');
    assert.equal(connect.protocolVersion, 5);
    assert.equal(connect.keepalive, 30);
    assert.equal(connect.clean, true);
    assert.equal(connect.properties.sessionExpiryInterval, 7);
    assert.deepEqual({ ...connect.properties.userProperties }, { 'X-KIND': 'test' });
    assert.equal(connect.will?.topic, 'wills/observed');
    assert.equal(connect.will?.payload.toString(), 'gone');
    assert.equal(connect.will?.retain, true);
    assert.equal(connect.will?.qos, 1);
    assert.equal(connect.will?.properties.willDelayInterval, 2);
    const subscribe = events.find((e) => e.type === 'subscribe' && e.clientId === 'observed-device');
    assert.ok(subscribe?.type === 'subscribe');
    assert.deepEqual(subscribe.subscriptions, [{ filter: 'a/+', qos: 1, nl: true, rap: false, rh: 0 }]);
    const publish = events.find((e) => e.type === 'publish' && e.clientId === 'observed-peer');
    assert.ok(publish?.type === 'publish');
    assert.equal(publish.topic, 'a/b');
    assert.equal(publish.qos, 1);
    assert.equal(publish.retain, true);
    assert.equal(publish.payloadLength, 5);
    assert.equal(publish.payload.toString(), 'hello');
    assert.deepEqual({ ...publish.properties.userProperties }, { k: 'v' });
    const close = events.find((e) => e.type === 'close' && e.clientId === 'observed-device');
    assert.ok(close?.type === 'close');
    assert.equal(close.willPublished, false, 'a normal DISCONNECT discards the will');
    const times = events.map((e) => e.at);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.ok(Math.abs((times[0] as number) - Date.now()) < 60_000, 'timestamps are wall-clock milliseconds');
    await endAsync(peer);
  });

  it('reports a takeover as a close with the will published', async () => {
    await connectRawMqtt(url, 'taken-over', { will: { topic: 'wills/taken', payload: Buffer.alloc(0), qos: 0, retain: true } });
    const usurper = await connectRawMqtt(url, 'taken-over');
    await waitUntil(() => events.some((e) => e.type === 'close' && e.clientId === 'taken-over'), 'the takeover');
    const close = events.find((e) => e.type === 'close' && e.clientId === 'taken-over');
    assert.ok(close?.type === 'close');
    assert.match(close.reason, /took over/);
    assert.equal(close.willPublished, true);
    await endAsync(usurper);
  });
});

describe('embedded broker with a failing observer', () => {
  it('keeps routing: the observer loses its event, clients keep their connections', async () => {
    const logs: string[] = [];
    const broker = new EmbeddedBroker({ observe: () => { throw new Error('observer bug'); }, log: (_level, m) => logs.push(m) });
    const { url } = await broker.start();
    try {
      const sub = await connectRawMqtt(url);
      const received: string[] = [];
      sub.on('message', (_t, p) => received.push(p.toString()));
      await subscribeAsync(sub, { t: { qos: 1 } });
      const pub = await connectRawMqtt(url);
      await publishAsync(pub, 't', 'still routed');
      await waitUntil(() => received.length === 1, 'the message');
      assert.deepEqual(received, ['still routed']);
      assert.ok(sub.connected && pub.connected);
      assert.ok(logs.some((m) => /observer failed on publish: observer bug/.test(m)), logs.join('\n'));
      await endAsync(sub);
      await endAsync(pub);
    } finally {
      await broker.stop();
    }
  });
});
