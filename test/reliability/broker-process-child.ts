// Child side of broker-process.ts: one embedded broker, its warn/error log lines, and memory on request.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedBroker } from '../../src/core/broker/index.js';

// The longest the broker's thread was unavailable to every client, in 1 ms resolution.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const logs: Array<{ level: string; message: string }> = [];
const broker = new EmbeddedBroker({
  ...(JSON.parse(process.argv[2] ?? '{}') as object),
  log: (level, message) => {
    if (level === 'warn' || level === 'error') logs.push({ level, message: message.slice(0, 500) });
  },
});

function answer(question: string): unknown {
  if (question === 'logs') return logs;
  if (question === 'loop-delay') {
    const worstMs = loopDelay.max / 1e6;
    loopDelay.reset();
    return { worstMs };
  }
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

process.on('message', (message: { question: string }) => process.send?.({ kind: 'answer', value: answer(message.question) }));
process.on('SIGTERM', () => {
  void broker.stop().then(() => process.exit(0));
});
void broker.start().then(({ url, port }) => process.send?.({ kind: 'address', value: { url, port } }));
// A test process that dies must not leave its broker behind.
process.on('disconnect', () => process.exit(0));
