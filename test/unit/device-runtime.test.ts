// The runtime on its own: simulated dynamics on a fake clock, events, hooks and instance naming.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, mock, test } from 'node:test';
import { DeviceRuntime, loadDeviceModel, parseDeviceModel, seededRandom, type DeviceModel } from '../../src/core/device/index.js';

const examplesDir = join(__dirname, '../../examples/devices');

function yamlModel(body: string): DeviceModel {
  return parseDeviceModel(`serverName: test/sim/{n}\ndescription: simulation test\n${body}`, 'yaml', 'inline');
}

/** A runtime on a clock that only moves when the test says so. */
function simulate(model: DeviceModel, seed = 7) {
  let clock = 1_000_000;
  const runtime = new DeviceRuntime(model, { index: 1, serverId: 'sim-1' }, { now: () => clock, random: seededRandom(seed) });
  const advance = (seconds: number, ticks = 1): void => {
    for (let i = 0; i < ticks; i++) {
      clock += (seconds * 1000) / ticks;
      runtime.tick();
    }
  };
  return { runtime, advance };
}

describe('simulated change', () => {
  test('drift moves toward its target at the given rate and stops there', () => {
    const { runtime, advance } = simulate(yamlModel(`
attributes:
  temperature: { type: number, initial: 20, drift: { rate: 0.5, toward: target } }
  target: { type: number, initial: 25 }
`));
    advance(4);
    assert.equal(runtime.getAttributes().temperature, 22);
    advance(30, 30);
    assert.equal(runtime.getAttributes().temperature, 25);
    runtime.setAttribute('target', 18);
    advance(2);
    assert.equal(runtime.getAttributes().temperature, 24);
  });

  test('a drift target that is not a number holds the value instead of drifting without end', () => {
    const { runtime, advance } = simulate(yamlModel(`
attributes:
  level: { type: number, initial: 5, drift: { rate: 1, toward: "label" } }
  label: { type: string, initial: "n/a" }
`));
    advance(3);
    assert.equal(runtime.getAttributes().level, 5);
  });

  test('unbounded drift stops at the clamp', () => {
    const { runtime, advance } = simulate(yamlModel(`
attributes:
  battery: { type: number, initial: 10, min: 0, max: 100, drift: { rate: -2 } }
`));
    advance(3);
    assert.equal(runtime.getAttributes().battery, 4);
    advance(10);
    assert.equal(runtime.getAttributes().battery, 0);
  });

  test('periodic follows a sine of the given period and amplitude', () => {
    const { runtime, advance } = simulate(yamlModel(`
attributes:
  level: { type: number, initial: 50, decimals: 6, periodic: { periodSeconds: 4, amplitude: 10 } }
`));
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      advance(1);
      seen.push(runtime.getAttributes().level);
    }
    assert.deepEqual(seen, [60, 50, 40, 50]);
  });

  test('noise stays within its amplitude, does not accumulate, and repeats with the same seed', () => {
    const model = yamlModel(`
attributes:
  reading: { type: number, initial: 100, noise: { amplitude: 1 } }
`);
    const trace = (seed: number): number[] => {
      const { runtime, advance } = simulate(model, seed);
      const values: number[] = [];
      for (let i = 0; i < 2000; i++) {
        advance(1);
        values.push(runtime.getAttributes().reading as number);
      }
      return values;
    };
    const first = trace(42);
    assert.ok(first.every((v) => v >= 99 && v <= 101), 'a random walk would have left ±1 after 2000 steps');
    assert.ok(new Set(first).size > 1000);
    assert.deepEqual(trace(42), first);
    assert.notDeepEqual(trace(43), first);
  });

  test('decimals and integer types shape what clients see, not the simulation', () => {
    const { runtime, advance } = simulate(yamlModel(`
attributes:
  slow: { type: number, initial: 20, decimals: 0, drift: { rate: 0.1 } }
  count: { type: integer, initial: 0, drift: { rate: 0.3 } }
`));
    advance(4, 40);
    assert.deepEqual(runtime.getAttributes(), { slow: 20, count: 1 });
    advance(2, 20);
    assert.deepEqual(runtime.getAttributes(), { slow: 21, count: 2 });
  });

  test('start() runs the simulation on a timer and stop() clears it', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let clock = 0;
      const runtime = new DeviceRuntime(yamlModel(`
attributes:
  x: { type: number, initial: 0, drift: { rate: 1 } }
`), { index: 1, serverId: 's' }, { tickMs: 500, now: () => clock });
      runtime.start();
      clock = 1000;
      mock.timers.tick(500);
      assert.equal(runtime.getAttributes().x, 1);
      runtime.stop();
      clock = 5000;
      mock.timers.tick(5000);
      assert.equal(runtime.getAttributes().x, 1);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('events', () => {
  const hysteresisModel = yamlModel(`
attributes:
  temperature: { type: number, initial: 20 }
events:
  - { name: overheat, when: "temperature > 30", rearmWhen: "temperature < 29", level: warning, message: "Hot: {{temperature}}", data: { t: "$temperature" } }
  - { name: tick, everySeconds: 10, message: "tick {{temperature}}" }
`);

  test('a condition fires on crossing and re-arms only past the hysteresis', () => {
    const { runtime } = simulate(hysteresisModel);
    const fired = (): number => runtime.events().filter((e) => e.event === 'overheat').length;
    runtime.setAttribute('temperature', 31);
    assert.equal(fired(), 1);
    runtime.setAttribute('temperature', 32);
    runtime.setAttribute('temperature', 29.5);
    runtime.setAttribute('temperature', 31);
    assert.equal(fired(), 1, 'dipping to 29.5 is inside the hysteresis band');
    runtime.setAttribute('temperature', 28);
    runtime.setAttribute('temperature', 30.5);
    assert.equal(fired(), 2);
    const last = runtime.events().at(-1)!;
    assert.equal(last.level, 'warning');
    assert.equal(last.message, 'Hot: 30.5');
    assert.equal(last.data.t, 30.5);
  });

  test('a condition that holds at power-on does not fire', () => {
    const runtime = new DeviceRuntime(yamlModel(`
attributes:
  on: { type: boolean, initial: true }
events:
  - { name: switched_on, when: "on", message: "on" }
`), { index: 1, serverId: 's' });
    runtime.setAttribute('on', true);
    assert.equal(runtime.events().length, 0);
    runtime.setAttribute('on', false);
    runtime.setAttribute('on', true);
    assert.equal(runtime.events().length, 1);
  });

  test('periodic events fire once per period of simulated time', () => {
    const { runtime, advance } = simulate(hysteresisModel);
    advance(25, 5);
    assert.deepEqual(runtime.events().filter((e) => e.event === 'tick').map((e) => e.message), ['tick 20', 'tick 20']);
  });

  test('events fire from drift as the simulation crosses the threshold', () => {
    const { runtime, advance } = simulate(yamlModel(`
attributes:
  temperature: { type: number, initial: 28, drift: { rate: 1 } }
events:
  - { name: overheat, when: "temperature > 30", message: "hot" }
`));
    advance(2);
    assert.equal(runtime.events().length, 0);
    advance(10, 10);
    assert.equal(runtime.events().length, 1);
  });
});

describe('hooks and instances', () => {
  test('onResourceUpdated reports only resources some session subscribed to', async () => {
    const model = await loadDeviceModel({ path: join(examplesDir, 'smart-thermostat.device.yaml') });
    const runtime = new DeviceRuntime(model, { index: 1, serverId: 'thermostat-1' });
    const updates: string[] = [];
    const unsubscribeHook = runtime.onResourceUpdated((uri) => updates.push(uri));
    runtime.setAttribute('target', 24);
    assert.deepEqual(updates, [], 'nobody watches target yet');
    runtime.subscribe('device://home/thermostat/1/attributes/target');
    runtime.setAttribute('target', 25);
    runtime.setAttribute('mode', 'eco');
    runtime.setAttribute('target', 25); // unchanged: no update
    assert.deepEqual(updates, ['device://home/thermostat/1/attributes/target']);
    unsubscribeHook();
    runtime.setAttribute('target', 26);
    assert.equal(updates.length, 1);
  });

  test('setAttribute checks types and ranges and leaves the value alone when it refuses', async () => {
    const model = await loadDeviceModel({ path: join(examplesDir, 'smart-thermostat.device.yaml') });
    const runtime = new DeviceRuntime(model, { index: 1, serverId: 't' });
    assert.throws(() => runtime.setAttribute('target', 'warm'), /target: expected a number, got "warm"/);
    assert.throws(() => runtime.setAttribute('target', 99), /above the maximum 32/);
    assert.throws(() => runtime.setAttribute('mode', 'turbo'), /expected one of heat, eco, off/);
    assert.throws(() => runtime.setAttribute('constructor', 1), /unknown attribute "constructor"/);
    assert.equal(runtime.getAttributes().target, 21);
  });

  test('server names are filled in per instance', async () => {
    const thermostat = await loadDeviceModel({ path: join(examplesDir, 'smart-thermostat.device.yaml') });
    const printer = await loadDeviceModel({ path: join(examplesDir, '3d-printer-ach301.device.yaml') });
    assert.equal(new DeviceRuntime(thermostat, { index: 3, serverId: 'thermostat-x' }).serverName, 'home/thermostat/3');
    const runtime = new DeviceRuntime(printer, { index: 1, serverId: 'ACH301-EECF7892AB1' });
    assert.equal(runtime.serverName, '3D-Printer/ACH301/ACH301-EECF7892AB1');
    assert.equal(runtime.description, printer.description);
  });
});
