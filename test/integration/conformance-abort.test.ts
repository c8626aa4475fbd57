// A conformance run stops when its AbortSignal fires (the editor closing, a panel closed): it rejects with
// the reason after the group in progress, without running the rest, on a real broker with a simulated device.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CHECKS, runConformance, type CheckResult } from '../../src/core/conformance/index.js';
import { Simulator } from '../../src/core/simulator/simulator.js';
import { startBroker, type TestBroker } from '../helpers/brokers.js';

describe('conformance run with an AbortSignal', () => {
  let broker: TestBroker;
  let simulator: Simulator;
  before(async () => {
    broker = await startBroker('embedded');
    simulator = new Simulator({ broker: { url: broker.url } });
    await simulator.addFile(join(__dirname, '../../examples/devices/smart-light.device.json'));
  });
  after(async () => {
    await simulator?.stop();
    await broker?.stop();
  });

  it('does not start when already aborted', async () => {
    const reason = new Error('closing before it started');
    await assert.rejects(runConformance({ broker: { url: broker.url }, serverName: 'home/light/1', signal: AbortSignal.abort(reason) }), (e) => e === reason);
  });

  it('stops after the group in progress when aborted mid-run', async () => {
    const abort = new AbortController();
    const seen: CheckResult[] = [];
    const reason = new Error('the editor is closing');
    await assert.rejects(
      runConformance({
        broker: { url: broker.url },
        serverName: 'home/light/1',
        signal: abort.signal,
        onProgress: (result) => {
          seen.push(result);
          abort.abort(reason);
        },
      }),
      (e) => e === reason,
    );
    assert.ok(seen.length > 0, 'the first group reported');
    assert.ok(seen.length < CHECKS.length, `stopped early: ${seen.length} of ${CHECKS.length} checks reported`);
  });
});
