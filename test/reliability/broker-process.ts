// The embedded broker in a child process of its own, so figures about it (stalls, memory) are not blurred by
// the test's own clients sharing its event loop and heap. The child reports its address, then answers
// memory and log-count questions over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import type { EmbeddedBrokerOptions } from '../../src/core/broker/index.js';

export interface BrokerMemory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface BrokerProcess {
  url: string;
  port: number;
  /** Memory after a full garbage collection in the broker process. */
  memory(): Promise<BrokerMemory>;
  /** Log lines the broker wrote at warn or error level so far. */
  logs(): Promise<Array<{ level: string; message: string }>>;
  /** The broker thread's worst event-loop delay since the previous call, in ms. */
  worstLoopDelayMs(): Promise<number>;
  /** Whether the child is still running (a crash ends it). */
  alive(): boolean;
  stop(): Promise<void>;
}

type SerializableOptions = Pick<EmbeddedBrokerOptions, 'maxPacketSize' | 'maxQueuedBytes'>;

const CHILD = `${__dirname}/broker-process-child.ts`;

export async function startBrokerProcess(options: SerializableOptions = {}): Promise<BrokerProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pending: Array<(value: unknown) => void> = [];
  child.on('message', (message: { kind: string; value: unknown }) => {
    if (message.kind === 'answer') pending.shift()?.(message.value);
  });
  child.once('exit', () => {
    for (const resolve of pending) resolve(undefined);
    pending = [];
  });
  const ask = (question: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('broker process has exited'));
      pending.push((value) => (value === undefined ? reject(new Error('broker process exited before answering')) : resolve(value)));
      child.send({ question });
    });
  const address = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    child.once('message', (message: { kind: string; value: { url: string; port: number } }) => resolve(message.value));
    child.once('exit', (code) => reject(new Error(`broker process exited (${code}) before listening`)));
  });
  return {
    ...address,
    memory: () => ask('memory') as Promise<BrokerMemory>,
    logs: () => ask('logs') as Promise<Array<{ level: string; message: string }>>,
    worstLoopDelayMs: async () => ((await ask('loop-delay')) as { worstMs: number }).worstMs,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
