// The composition root's disposal: reverse order, each part awaited before the next, a failing part logged
// without stopping the rest, and one shutdown however often it is asked for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lifetime } from '../../src/extension/lifetime.js';
import { nullLogger, type Logger } from '../../src/core/util/logger.js';

describe('Lifetime', () => {
  it('disposes in reverse order, awaiting each part', async () => {
    const order: string[] = [];
    const lifetime = new Lifetime(() => nullLogger);
    const slow = (name: string) => ({
      dispose: async () => {
        order.push(`${name} start`);
        await new Promise((r) => setImmediate(r));
        order.push(`${name} end`);
      },
    });
    lifetime.own('broker', slow('broker'));
    lifetime.own('simulators', slow('simulators'));
    lifetime.own('gateways', slow('gateways'));
    await lifetime.dispose();
    assert.deepEqual(order, ['gateways start', 'gateways end', 'simulators start', 'simulators end', 'broker start', 'broker end']);
  });

  it('logs a failing part and still stops the others; shuts down once', async () => {
    const errors: string[] = [];
    const log: Logger = { ...nullLogger, error: (m, e) => errors.push(`${m}: ${(e as Error).message}`) };
    const lifetime = new Lifetime(() => log);
    let stopped = 0;
    lifetime.own('first', { dispose: () => stopped++ });
    lifetime.own('broken', { dispose: () => Promise.reject(new Error('socket gone')) });
    const a = lifetime.dispose();
    const b = lifetime.dispose();
    assert.equal(a, b);
    await a;
    assert.equal(stopped, 1);
    assert.deepEqual(errors, ['stopping broken failed: socket gone']);
    assert.throws(() => lifetime.own('late', { dispose: () => undefined }), /after shutdown began/);
  });
});
