// Issue 14 D4: what a client that does not keep up may cost the embedded broker. Receive Maximum bounds the
// QoS 1 window, maxQueuedBytes bounds everything held for one client; past it QoS 0 is dropped and QoS 1
// disconnects with 0x97 Quota exceeded. Raw sockets, because a client library would read and acknowledge.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { IConnectPacket, IDisconnectPacket, IPublishPacket, Packet } from 'mqtt-packet';
import { EmbeddedBroker } from '../../src/core/broker/index.js';
import { openRawConnection, type RawMqttConnection } from '../helpers/brokers.js';

const uid = (): string => randomUUID().slice(0, 8);
const LIMIT = 64 * 1024;

function connectPacket(extra: Partial<IConnectPacket> = {}): IConnectPacket {
  return { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: `limits-${uid()}`, clean: true, keepalive: 0, ...extra };
}

/** Packets up to the broker's answer to a PINGREQ: everything it had decided to send before it. */
async function untilPingResponse(raw: RawMqttConnection): Promise<Packet[]> {
  raw.send({ cmd: 'pingreq' });
  const seen: Packet[] = [];
  for (;;) {
    const packet = await raw.next();
    if (packet.cmd === 'pingresp') return seen;
    seen.push(packet);
  }
}

describe('embedded broker: per-client outbound limits', { timeout: 60_000 }, () => {
  const logs: string[] = [];
  const broker = new EmbeddedBroker({ maxQueuedBytes: LIMIT, log: (level, message) => level === 'warn' && logs.push(message) });
  let port = 0;
  let url = '';
  const clients: MqttClient[] = [];
  const raws: RawMqttConnection[] = [];

  async function client(): Promise<MqttClient> {
    const c = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clientId: `limits-${uid()}` });
    clients.push(c);
    return c;
  }
  async function rawSubscriber(topic: string, qos: 0 | 1, extra: Partial<IConnectPacket> = {}): Promise<RawMqttConnection> {
    const raw = await openRawConnection(port);
    raws.push(raw);
    raw.send(connectPacket(extra));
    assert.equal((await raw.next()).cmd, 'connack');
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] });
    assert.equal((await raw.next()).cmd, 'suback');
    return raw;
  }

  before(async () => {
    ({ port, url } = await broker.start());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    for (const raw of raws.splice(0)) raw.socket.destroy();
  });
  after(async () => {
    await broker.stop();
  });

  it('sends no more QoS 1 messages than the client\'s Receive Maximum before its PUBACKs', async () => {
    const topic = `limits/window/${uid()}`;
    const raw = await rawSubscriber(topic, 1, { properties: { receiveMaximum: 2 } });
    const publisher = await client();
    for (let i = 0; i < 5; i++) await publisher.publishAsync(topic, `m${i}`, { qos: 1 });
    const first = (await untilPingResponse(raw)) as IPublishPacket[];
    assert.deepEqual(first.map((p) => p.payload.toString()), ['m0', 'm1']);
    raw.send({ cmd: 'puback', messageId: first[0]?.messageId as number });
    const next = (await untilPingResponse(raw)) as IPublishPacket[];
    assert.deepEqual(next.map((p) => p.payload.toString()), ['m2']);
  });

  it('disconnects a QoS 1 subscriber with 0x97 once more than maxQueuedBytes waits for it, fires its will, and keeps serving others', async () => {
    const topic = `limits/quota/${uid()}`;
    const willTopic = `limits/will/${uid()}`;
    const raw = await rawSubscriber(topic, 1, {
      properties: { receiveMaximum: 1 },
      will: { topic: willTopic, payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    const healthy = await client();
    const healthyInbox: string[] = [];
    healthy.on('message', (t, payload) => healthyInbox.push(`${t}=${payload.length}`));
    await healthy.subscribeAsync([topic, willTopic], { qos: 1 });

    const publisher = await client();
    const chunk = Buffer.alloc(8 * 1024, 1);
    const count = Math.ceil((2 * LIMIT) / chunk.length);
    for (let i = 0; i < count; i++) await publisher.publishAsync(topic, chunk, { qos: 1 });

    let disconnect: IDisconnectPacket | undefined;
    for (;;) {
      const packet = await raw.next().catch(() => undefined);
      if (!packet) break;
      if (packet.cmd === 'disconnect') disconnect = packet;
    }
    assert.equal(disconnect?.reasonCode, 0x97);
    await healthy.subscribeAsync(`barrier/${uid()}`, { qos: 0 });
    await new Promise<void>((resolve) => (healthyInbox.length > count ? resolve() : healthy.on('message', () => healthyInbox.length > count && resolve())));
    assert.equal(healthyInbox.filter((m) => m === `${topic}=${chunk.length}`).length, count);
    assert.deepEqual(healthyInbox.filter((m) => m.startsWith(willTopic)), [`${willTopic}=4`]);
    assert.ok(logs.some((line) => line.includes('0x97 quota exceeded')), 'the disconnect is logged');
  });

  it('drops QoS 0 messages to a client that stopped reading, past maxQueuedBytes, without disconnecting it', async () => {
    const topic = `limits/qos0/${uid()}`;
    const raw = await rawSubscriber(topic, 0);
    raw.socket.pause();
    const publisher = await client();
    const chunk = Buffer.alloc(16 * 1024, 2);
    // Far more than the kernel's socket buffers take, so the broker's own queue must hit its limit.
    const count = 1024;
    const dropsBefore = logs.filter((l) => l.includes('dropping QoS 0')).length;
    for (let i = 0; i < count; i += 64) {
      await Promise.all(Array.from({ length: 64 }, () => publisher.publishAsync(topic, chunk, { qos: 1 })));
    }
    assert.ok(logs.filter((l) => l.includes('dropping QoS 0')).length > dropsBefore, 'the drops are logged');
    raw.socket.resume();
    const delivered = (await untilPingResponse(raw)).filter((p) => p.cmd === 'publish').length;
    assert.ok(delivered > 0 && delivered < count, `${delivered} of ${count} delivered`);
  });

  it('takes the limit from `mqtt-mcp broker --max-queued-bytes`', async () => {
    const cli = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts'), 'broker', '--port', '0', '--max-queued-bytes', String(LIMIT)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
    try {
      const cliUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        cli.stdout.setEncoding('utf8').on('data', (text: string) => {
          out += text;
          const found = /listening on (mqtt:\/\/\S+)/.exec(out);
          if (found?.[1]) resolve(found[1]);
        });
        cli.once('exit', (code) => reject(new Error(`mqtt-mcp broker exited with ${code}`)));
      });
      const topic = `limits/cli/${uid()}`;
      const raw = await openRawConnection(Number(new URL(cliUrl).port));
      raws.push(raw);
      raw.send(connectPacket({ properties: { receiveMaximum: 1 } }));
      assert.equal((await raw.next()).cmd, 'connack');
      raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] });
      assert.equal((await raw.next()).cmd, 'suback');
      const publisher = await mqtt.connectAsync(cliUrl, { protocolVersion: 5, reconnectPeriod: 0 });
      clients.push(publisher);
      for (let i = 0; i < 16; i++) await publisher.publishAsync(topic, Buffer.alloc(8 * 1024), { qos: 1 });
      let reasonCode: number | undefined;
      for (;;) {
        const packet = await raw.next().catch(() => undefined);
        if (!packet) break;
        if (packet.cmd === 'disconnect') reasonCode = packet.reasonCode;
      }
      assert.equal(reasonCode, 0x97);
    } finally {
      cli.kill('SIGTERM');
      await exited;
    }
  });
});
