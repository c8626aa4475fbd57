// Real brokers for integration tests: the embedded one, and Mosquitto when it is installed, so the same
// behavioural tests show that the product works against a reference broker and not only against its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { EmbeddedBroker, type EmbeddedBrokerOptions } from '../../src/core/broker/index.js';

export type BrokerKind = 'embedded' | 'mosquitto';

export interface TestBroker {
  kind: BrokerKind;
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
  /** Stops and starts again on the same port, for broker-loss tests. */
  restart?(): Promise<void>;
}

export interface StartBrokerOptions {
  /** TCP_NODELAY on the broker's sockets (default true). */
  nodelay?: boolean;
  /** Embedded only: extra CONNACK user properties, to imitate the EMQX MCP gateway. */
  connackUserProperties?: EmbeddedBrokerOptions['connackUserProperties'];
  /** Mosquitto only: keep its stock per-client queue limits (1,000 messages), as a default install has them. */
  stockQueueLimits?: boolean;
  /** Mosquitto only: max_queued_messages (default 100,000); benchmarks of 100k fleets need more. */
  maxQueuedMessages?: number;
}

const MOSQUITTO_PATH = '/usr/sbin/mosquitto';
const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 10_000;

let mosquittoSkipExplained = false;

export function brokerKinds(): BrokerKind[] {
  if (existsSync(MOSQUITTO_PATH)) return ['embedded', 'mosquitto'];
  if (process.env.CI === 'true') {
    throw new Error(`${MOSQUITTO_PATH} is missing: CI must run the broker tests against Mosquitto too (apt-get install mosquitto)`);
  }
  if (!mosquittoSkipExplained) {
    mosquittoSkipExplained = true;
    console.log(`note: ${MOSQUITTO_PATH} not found, so broker tests run against the embedded broker only (apt-get install mosquitto to add it)`);
  }
  return ['embedded'];
}

export async function startBroker(kind: BrokerKind, opts: StartBrokerOptions = {}): Promise<TestBroker> {
  return kind === 'embedded' ? startEmbedded(opts) : startMosquitto(opts);
}

async function startEmbedded(opts: StartBrokerOptions): Promise<TestBroker> {
  const make = (port: number): EmbeddedBroker =>
    new EmbeddedBroker({ host: HOST, port, noDelay: opts.nodelay ?? true, connackUserProperties: opts.connackUserProperties });
  let broker = make(0);
  const { port, url } = await broker.start();
  return {
    kind: 'embedded',
    url,
    host: HOST,
    port,
    stop: () => broker.stop(),
    async restart() {
      await broker.stop();
      broker = make(port);
      await broker.start();
    },
  };
}

/** Mosquitto processes still running, killed when the test process exits however the tests ended. */
const liveMosquittos = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveMosquittos) child.kill('SIGKILL');
});

async function startMosquitto(opts: StartBrokerOptions): Promise<TestBroker> {
  let lastError: unknown;
  // Another process can grab the free port between probing and Mosquitto binding it, so retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      let running = await launchMosquitto(port, opts);
      return {
        kind: 'mosquitto',
        url: `mqtt://${HOST}:${port}`,
        host: HOST,
        port,
        stop: () => running.stop(),
        async restart() {
          await running.stop();
          running = await launchMosquitto(port, opts);
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** One Mosquitto process with its own config directory; stop() kills it and removes the directory (idempotent). */
async function launchMosquitto(port: number, opts: StartBrokerOptions): Promise<{ stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-test-'));
  const configPath = join(dir, 'mosquitto.conf');
  writeFileSync(configPath, [
    `listener ${port} ${HOST}`,
    'allow_anonymous true',
    'persistence false',
    // set_tcp_nodelay exists since Mosquitto 2.0; Nagle's delay would otherwise add ~40 ms per small publish.
    ...(opts.nodelay === false ? [] : ['set_tcp_nodelay true']),
    // The default of 1000 queued messages per client would cut a large retained snapshot short.
    ...(opts.stockQueueLimits ? [] : [`max_queued_messages ${opts.maxQueuedMessages ?? 100_000}`]),
    '',
  ].join('\n'));

  const child = spawn(MOSQUITTO_PATH, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  liveMosquittos.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    liveMosquittos.delete(child);
    resolve();
  }));
  // Even a SIGKILLed test process must not leave Mosquitto or its directory behind: this watchdog's stdin
  // closes when its parent dies, and then it cleans up.
  const watchdog = spawn('sh', ['-c', `read -r _; kill ${child.pid} 2>/dev/null; sleep 1; rm -rf '${dir}'`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as Socket | null)?.unref();
  child.unref();
  (child.stderr as unknown as Socket | null)?.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Referenced again so the test process stays alive until Mosquitto has really gone.
      child.ref();
      watchdog.stdin?.end();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await waitUntilAccepting(port, () => child.exitCode !== null || child.signalCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`mosquitto did not start on port ${port}: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return { stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(port: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('process exited');
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, HOST);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no listener after ${STARTUP_TIMEOUT_MS} ms`);
}

/** A bare MQTT 5 socket for tests that need what a client library hides: silence, pipelining, invalid packets. */
export interface RawMqttConnection {
  socket: Socket;
  send(packet: Packet): void;
  /** The next packet from the broker, in arrival order; rejects if the connection closes first. */
  next(): Promise<Packet>;
  /** Resolves when the broker (or the test) has closed the connection. */
  closed: Promise<void>;
}

export async function openRawConnection(port: number, host = HOST): Promise<RawMqttConnection> {
  const socket = connect(port, host);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const arrived: Packet[] = [];
  const waiting: Array<{ resolve: (p: Packet) => void; reject: (e: Error) => void }> = [];
  let ended = false;
  parser.on('packet', (packet: Packet) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(packet);
    else arrived.push(packet);
  });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter.reject(new Error('connection closed'));
    resolve();
  }));
  return {
    socket,
    send: (packet) => socket.write(mqttPacket.generate(packet, { protocolVersion: 5 })),
    next: () => {
      const ready = arrived.shift();
      if (ready) return Promise.resolve(ready);
      if (ended) return Promise.reject(new Error('connection closed'));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    closed,
  };
}
