// A SUBSCRIBE too big for one time slice (issue 14 D3) keeps the order a client relies on: SUBACK, every
// matching retained message, and only then the answers to what the client sent after it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Packet } from 'mqtt-packet';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../../src/core/broker/index.js';
import { openRawConnection } from '../helpers/brokers.js';

const RETAINED = 5_000;

describe('embedded broker: a SUBSCRIBE served in slices', { timeout: 120_000 }, () => {
  const broker = new EmbeddedBroker();
  let port = 0;
  let url = '';
  before(async () => {
    ({ port, url } = await broker.start());
    const seeder = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
    for (let i = 0; i < RETAINED; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => seeder.publishAsync(`sliced/${i + j}`, `v${i + j}`, { qos: 1, retain: true })));
    }
    await seeder.endAsync(true);
  });
  after(async () => {
    await broker.stop();
  });

  it('answers packets sent after it only once its whole retained snapshot is out, in order', async () => {
    const raw = await openRawConnection(port);
    raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'sliced', clean: true, keepalive: 0 });
    assert.equal((await raw.next()).cmd, 'connack');
    const subscriptions = Array.from({ length: RETAINED }, (_, i) => ({ topic: i % 2 ? `sliced/${i}` : `sliced/${i}/#`, qos: 1 as const }));
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions });
    raw.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'sliced/barrier', qos: 0 }] });
    raw.send({ cmd: 'pingreq' });
    const seen: string[] = [];
    for (;;) {
      const packet: Packet = await raw.next();
      if (packet.cmd === 'publish') {
        seen.push(`publish ${packet.topic}`);
        raw.send({ cmd: 'puback', messageId: packet.messageId as number });
      } else seen.push(packet.cmd === 'suback' ? `suback ${packet.messageId}` : packet.cmd);
      if (packet.cmd === 'pingresp') break;
    }
    assert.deepEqual(seen, ['suback 1', ...subscriptions.map((_, i) => `publish sliced/${i}`), 'suback 2', 'pingresp']);
    raw.socket.destroy();
  });
});
