// MQTT packet fuzzer against the embedded broker (issue 14 reliability suite). Valid packets of every kind,
// built with mqtt-packet from seeded random fields, are mutated (bit flips, byte changes, truncation,
// garbage, corrupted lengths, splices) and sent on fresh connections, many at once, while a sentinel client
// keeps making round trips. The broker must never crash, never hit an internal error, and keep serving the
// sentinel. Fixed seed and bounded counts: BROKER_FUZZ_CASES (default 3000), BROKER_FUZZ_SEED (default 14).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { EmbeddedBroker } from '../../src/core/broker/index.js';
import { recordFigures } from './broker-results.js';
import { seededRandom } from '../../src/core/device/index.js';

const CASES = Number(process.env.BROKER_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.BROKER_FUZZ_SEED ?? 14);
const PARALLEL = 32;
/** A mutated length can leave the broker waiting for bytes that never come; the case ends there. */
const CASE_DEADLINE_MS = 1_000;
const SENTINEL_LOST_MS = 5_000;


class Generator {
  constructor(private readonly random: () => number) {}
  int(max: number): number {
    return Math.floor(this.random() * max);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  topic(wildcards: boolean): string {
    const levels = ['fuzz', 'a', '', '$mcp-server', 'presence', 'ü', '水', 'x'.repeat(this.int(40))];
    if (wildcards) levels.push('+', '#');
    return Array.from({ length: 1 + this.int(5) }, () => this.pick(levels)).join('/');
  }
  bytes(max: number): Buffer {
    return Buffer.from(Array.from({ length: this.int(max) }, () => this.int(256)));
  }
  userProperties(): Record<string, string> | undefined {
    return this.chance(0.5) ? { [this.pick(['k', 'MCP-COMPONENT-TYPE', 'é'])]: this.pick(['v', 'mcp-server', '']) } : undefined;
  }
  /** One valid packet of a random kind, as a client could send it. */
  packet(kind = this.int(9)): Packet {
    const id = 1 + this.int(65_535);
    const qos = this.int(2) as 0 | 1;
    switch (kind) {
      case 0:
        return {
          cmd: 'connect', protocolId: 'MQTT', protocolVersion: this.pick([4, 5] as const), clientId: `fuzz-${this.int(1e9)}`, clean: true, keepalive: this.int(3),
          ...(this.chance(0.4) ? { will: { topic: this.topic(false), payload: this.bytes(20), qos, retain: this.chance(0.5) } } : {}),
          ...(this.chance(0.3) ? { username: 'u', password: this.bytes(8) } : {}),
          properties: { receiveMaximum: 1 + this.int(5), topicAliasMaximum: this.int(10), maximumPacketSize: 64 + this.int(1000), userProperties: this.userProperties() },
        };
      case 1:
      case 2:
        return {
          cmd: 'publish', topic: this.topic(false), payload: this.bytes(200), qos, retain: this.chance(0.3), dup: false, messageId: qos ? id : undefined,
          properties: {
            ...(this.chance(0.3) ? { topicAlias: 1 + this.int(1100) } : {}),
            ...(this.chance(0.3) ? { messageExpiryInterval: this.int(3) } : {}),
            ...(this.chance(0.3) ? { responseTopic: this.topic(false), correlationData: this.bytes(10) } : {}),
            userProperties: this.userProperties(),
          },
        };
      case 3:
        return {
          cmd: 'subscribe', messageId: id,
          subscriptions: Array.from({ length: 1 + this.int(4) }, () => ({ topic: this.topic(true), qos: this.int(3) as 0 | 1 | 2, nl: this.chance(0.3), rap: this.chance(0.3), rh: this.int(3) })),
          properties: this.chance(0.3) ? { subscriptionIdentifier: 1 + this.int(1000) } : undefined,
        };
      case 4:
        return { cmd: 'unsubscribe', messageId: id, unsubscriptions: [this.topic(true)] };
      case 5:
        return { cmd: this.pick(['puback', 'pubrec', 'pubrel', 'pubcomp'] as const), messageId: id, reasonCode: 0 };
      case 6:
        return { cmd: 'pingreq' };
      case 7:
        return { cmd: 'disconnect', reasonCode: this.pick([0, 4, 0x80]) };
      default:
        return { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'x' } };
    }
  }
  encoded(packet: Packet, protocolVersion: 4 | 5): Buffer {
    try {
      return mqttPacket.generate(packet, { protocolVersion });
    } catch {
      return this.bytes(50); // a combination the codec will not write is still worth sending as noise
    }
  }
  /** A valid packet bent into something a broken or hostile client might send. */
  mutate(bytes: Buffer): { mutation: string; bytes: Buffer } {
    const out = Buffer.from(bytes);
    const mutation = this.pick(['flip', 'bytes', 'truncate', 'extend', 'length', 'splice', 'random', 'first-byte']);
    switch (mutation) {
      case 'flip':
        for (let i = 0, n = 1 + this.int(8); i < n && out.length > 0; i++) {
          const at = this.int(out.length);
          out[at] = (out[at] as number) ^ (1 << this.int(8));
        }
        return { mutation, bytes: out };
      case 'bytes':
        for (let i = 0, n = 1 + this.int(4); i < n && out.length > 0; i++) out[this.int(out.length)] = this.int(256);
        return { mutation, bytes: out };
      case 'truncate':
        return { mutation, bytes: out.subarray(0, this.int(out.length)) };
      case 'extend':
        return { mutation, bytes: Buffer.concat([out, this.bytes(40)]) };
      case 'length':
        if (out.length > 1) out[1] = this.pick([0, 1, 0x7f, 0x80, 0xff, this.int(256)]);
        return { mutation, bytes: out };
      case 'splice': {
        const other = this.encoded(this.packet(), 5);
        return { mutation, bytes: Buffer.concat([out.subarray(0, this.int(out.length + 1)), other.subarray(this.int(other.length))]) };
      }
      case 'first-byte':
        if (out.length > 0) out[0] = this.int(256);
        return { mutation, bytes: out };
      default:
        return { mutation, bytes: this.bytes(300) };
    }
  }
}

type Outcome = 'closed by broker' | 'answered' | 'left waiting';

async function runCase(port: number, bytes: Buffer[]): Promise<{ outcome: Outcome; reasons: number[] }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const reasons: number[] = [];
  let answered = false;
  parser.on('error', () => undefined);
  parser.on('packet', (packet: Packet) => {
    if (packet.cmd === 'disconnect') reasons.push(packet.reasonCode ?? 0);
    if (packet.cmd === 'pingresp') answered = true;
  });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    socket.once('connect', () => {
      for (const b of bytes) socket.write(b);
      // A trailing PINGREQ shows whether the broker still takes this connection as healthy.
      socket.write(Buffer.from([0xc0, 0x00]));
    });
    socket.once('close', () => resolve(answered ? 'answered' : 'closed by broker'));
    parser.on('packet', (packet: Packet) => packet.cmd === 'pingresp' && resolve('answered'));
    timer = setTimeout(() => resolve('left waiting'), CASE_DEADLINE_MS);
  });
  clearTimeout(timer);
  socket.destroy();
  return { outcome, reasons };
}

describe('embedded broker: MQTT packet fuzzer', { timeout: 20 * 60_000 }, () => {
  const internalErrors: string[] = [];
  const broker = new EmbeddedBroker({ log: (level, message) => level === 'error' && internalErrors.push(message.slice(0, 300)) });
  let port = 0;
  let url = '';
  before(async () => {
    ({ port, url } = await broker.start());
  });
  after(async () => {
    await broker.stop();
  });

  it(`survives ${CASES} mutated packets (seed ${SEED}) and keeps serving another client`, async () => {
    const gen = new Generator(seededRandom(SEED));
    const sentinel: MqttClient = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clientId: `sentinel-${randomUUID()}` });
    const sentinelTopic = `sentinel/${randomUUID()}`;
    await sentinel.subscribeAsync(sentinelTopic, { qos: 1 });
    const roundTrips: number[] = [];
    let sentinelLost = 0;
    let fuzzing = true;
    const sentinelLoop = (async () => {
      while (fuzzing) {
        const t0 = performance.now();
        const back = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), SENTINEL_LOST_MS);
          sentinel.once('message', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        sentinel.publish(sentinelTopic, 'ping', { qos: 1 });
        if (await back) roundTrips.push(performance.now() - t0);
        else sentinelLost++;
      }
    })();

    const outcomes = new Map<Outcome, number>();
    const mutations = new Map<string, number>();
    const disconnectReasons = new Map<string, number>();
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < CASES) {
        next++;
        // Half the cases break the CONNECT itself; the others connect properly first and break what follows.
        const afterConnect = gen.chance(0.5);
        const target = afterConnect ? gen.packet() : gen.packet(0);
        const version = gen.pick([4, 5] as const);
        const { mutation, bytes } = gen.mutate(gen.encoded(target, version));
        const prefix = afterConnect
          ? [mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clientId: `fuzz-ok-${next}`, clean: true, keepalive: 0 }, { protocolVersion: version })]
          : [];
        const { outcome, reasons } = await runCase(port, [...prefix, bytes]);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        mutations.set(mutation, (mutations.get(mutation) ?? 0) + 1);
        for (const r of reasons) disconnectReasons.set(`0x${r.toString(16)}`, (disconnectReasons.get(`0x${r.toString(16)}`) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    fuzzing = false;
    await sentinelLoop;
    // The broker is still whole: a fresh client can connect and round-trip after all of it.
    const after = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
    await after.subscribeAsync('fuzz/after', { qos: 1 });
    const echoed = new Promise<void>((resolve) => after.once('message', () => resolve()));
    await after.publishAsync('fuzz/after', 'x', { qos: 1 });
    await echoed;
    await after.endAsync(true);
    await sentinel.endAsync(true);

    const sorted = [...roundTrips].sort((a, b) => a - b);
    const figures = {
      seed: SEED,
      casesTried: CASES,
      // The broker runs in this process, so a crash would have ended the test before this line; the fresh
      // client above shows it still serves after the last case.
      brokerServingAfterAllCases: true,
      sentinelRoundTripsLost: sentinelLost,
      internalErrors: internalErrors.length,
      outcomes: Object.fromEntries(outcomes),
      disconnectReasons: Object.fromEntries([...disconnectReasons].sort()),
      mutations: Object.fromEntries([...mutations].sort()),
      sentinelRoundTrips: roundTrips.length,
      sentinelMedianMs: Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10,
      sentinelWorstMs: Math.round((sorted[sorted.length - 1] ?? 0) * 10) / 10,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      parallelConnections: PARALLEL,
    };
    console.log(JSON.stringify(figures));
    recordFigures('packetFuzzer', figures);
    assert.deepEqual(internalErrors, [], 'no mutated packet may reach an internal error');
    assert.equal(sentinelLost, 0, 'the sentinel never lost a round trip');
    assert.ok(roundTrips.length > 0);
  });
});
