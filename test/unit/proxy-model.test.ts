// Proxy bindings in device models: what loads, what the checks reject and with which path, and value
// extraction from device messages (text, number, JSON pointer, Sparkplug B) with conversion and scaling.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DeviceModelError, DeviceRuntime, loadDeviceModel, parseDeviceModel, type AttributeModel, type ModelIssue } from '../../src/core/device/index.js';
import type { AttributeSource } from '../../src/core/device/model.js';
import { fillPlaceholders } from '../../src/core/device/topic-binding.js';
import { extractValue, resolvePointer, SparkplugDefinitions } from '../../src/core/proxy/index.js';
import { decodeReceived } from '../../src/core/proxy/received.js';
import { renderCommand } from '../../src/core/proxy/publish-actuator.js';

type Mutable = Record<string, unknown> & { attributes: Record<string, Record<string, unknown>>; functions: Record<string, unknown>[]; events: Record<string, unknown>[] };

function model(mutate: (m: Mutable) => void = () => undefined): string {
  const m: Mutable = {
    serverName: 'home/thermostat/{n}',
    description: 'Proxied thermostat',
    attributes: {
      temperature: { type: 'number', source: { topic: 'home/room{n}/temperature', extract: 'number', scale: 0.1, staleAfterSeconds: 30 } },
      mode: { type: 'enum', values: ['heat', 'off'], initial: 'heat' },
    },
    functions: [{
      name: 'set_mode', description: 'Set the mode',
      parameters: { type: 'object', properties: { mode: { type: 'string' } } },
      publish: { topic: 'home/room{n}/set', payload: { mode: '$args.mode' }, confirm: { topic: 'home/room{n}/state', when: 'payload.mode == args.mode' } },
      returns: { text: 'now {{payload.mode}}' },
    }],
    events: [{ name: 'alarm', source: { topic: 'home/room{n}/alarm' }, message: 'alarm {{payload.code}}' }],
  };
  mutate(m);
  return JSON.stringify(m);
}

function issuesOf(text: string): ModelIssue[] {
  try {
    parseDeviceModel(text, 'json', 'test');
  } catch (error) {
    assert.ok(error instanceof DeviceModelError);
    return error.issues;
  }
  assert.fail('the model was accepted');
}

describe('proxy bindings in device models', () => {
  test('a model with every kind of binding loads, and a proxied attribute may leave out its initial value', () => {
    const loaded = parseDeviceModel(model(), 'json');
    assert.equal(loaded.attributes.temperature!.source!.topic, 'home/room{n}/temperature');
    const runtime = new DeviceRuntime(loaded, { index: 1, serverId: 'x' });
    assert.equal(runtime.getAttributes().temperature, null);
  });

  test('the example proxy model loads', async () => {
    const loaded = await loadDeviceModel({ path: join(__dirname, '../../examples/proxy/livingroom-thermostat.device.yaml') });
    assert.ok(loaded.functions.some((f) => f.publish?.confirm?.correlate));
  });

  const broken: { name: string; mutate: (m: Mutable) => void; path: string; message: RegExp }[] = [
    { name: 'an attribute without source still needs initial', mutate: (m) => void delete m.attributes.mode!.initial, path: 'attributes.mode.initial', message: /required/ },
    { name: 'a bad wildcard in a source topic', mutate: (m) => void ((m.attributes.temperature!.source as AttributeSource).topic = 'home/#/x'), path: 'attributes.temperature.source.topic', message: /'#' must be a whole level and the last one/ },
    { name: 'an unknown placeholder', mutate: (m) => void ((m.attributes.temperature!.source as AttributeSource).topic = 'home/{room}/t'), path: 'attributes.temperature.source.topic', message: /unknown placeholder \{room\}/ },
    { name: 'scaling a string', mutate: (m) => void (m.attributes.mode = { type: 'string', source: { topic: 'a/b', scale: 2 } }), path: 'attributes.mode.source.scale', message: /only number and integer/ },
    { name: 'simulation dynamics on a proxied attribute', mutate: (m) => void (m.attributes.temperature!.noise = { amplitude: 1 }), path: 'attributes.temperature.noise', message: /only makes sense in a simulation/ },
    { name: 'a Sparkplug metric from a non-Sparkplug topic', mutate: (m) => void ((m.attributes.temperature!.source as AttributeSource).extract = { sparkplug: 'T' }), path: 'attributes.temperature.source.topic', message: /spBv1\.0/ },
    { name: 'an unknown extraction', mutate: (m) => void ((m.attributes.temperature!.source as Record<string, unknown>).extract = 'xml'), path: 'attributes.temperature.source.extract', message: /./ },
    { name: 'a wildcard in a command topic', mutate: (m) => void ((m.functions[0]!.publish as Record<string, unknown>).topic = 'home/+/set'), path: 'functions[0].publish.topic', message: /must not contain '\+' or '#'/ },
    { name: 'an unknown argument in the payload', mutate: (m) => void ((m.functions[0]!.publish as Record<string, unknown>).payload = { mode: '$args.speed' }), path: 'functions[0].publish.payload', message: /unknown argument "speed"/ },
    { name: 'a confirmation with nothing to wait on', mutate: (m) => void ((m.functions[0]!.publish as Record<string, unknown>).confirm = { timeoutMs: 100 }), path: 'functions[0].publish.confirm', message: /needs a 'topic'/ },
    { name: 'payload outside a received message', mutate: (m) => void (m.events.push({ name: 'hot', when: 'payload.t > 3', message: 'x' })), path: 'events[1].when', message: /payload is only available/ },
    { name: 'a source event that is also periodic', mutate: (m) => void (m.events[0]!.everySeconds = 5), path: 'events[0].everySeconds', message: /either 'source' or 'everySeconds'/ },
  ];
  for (const { name, mutate, path, message } of broken) {
    test(`rejects ${name}`, () => {
      const issue = issuesOf(model(mutate)).find((i) => i.path === path);
      assert.ok(issue, `no issue at ${path}`);
      assert.match(issue.message, message);
    });
  }

  test('{n} and {id} fill topics, but not the inside of a {{ }} template', () => {
    assert.equal(fillPlaceholders('home/room{n}/{id}/{{args.n}}', { n: 2, id: 'abc' }), 'home/room2/abc/{{args.n}}');
  });

  test('commands render from arguments as text, JSON, or refuse a topic that an argument turned into a wildcard', () => {
    const scope = { args: { target: 23, room: '+' }, attributes: {}, instance: { n: 1, id: 'x', serverName: 's' } };
    assert.equal(renderCommand({ topic: 'a/{n}/set', payload: { target: '$args.target' } }, scope.args, scope, { n: 1, id: 'x' }).body, '{"target":23}');
    assert.equal(renderCommand({ topic: 'a/set', payload: 'T={{args.target}}' }, scope.args, scope, { n: 1, id: 'x' }).body, 'T=23');
    assert.throws(() => renderCommand({ topic: 'a/{{args.room}}/set' }, scope.args, scope, { n: 1, id: 'x' }), /must not contain/);
  });
});

describe('extracting attribute values from device messages', () => {
  const definitions = new SparkplugDefinitions();
  const read = (attribute: AttributeModel, source: AttributeSource, payload: string, topic = 'dev/x'): ReturnType<typeof extractValue> =>
    extractValue(attribute, source, decodeReceived(topic, Buffer.from(payload), definitions));

  test('numbers, with scale and offset, tidied of binary rounding', () => {
    assert.deepEqual(read({ type: 'number' }, { topic: 't', extract: 'number', scale: 0.1 }, ' 213 '), { kind: 'value', value: 21.3 });
    assert.deepEqual(read({ type: 'number' }, { topic: 't', extract: 'number', scale: 5 / 9, offset: -160 / 9 }, '212'), { kind: 'value', value: 100 });
    assert.equal(read({ type: 'number' }, { topic: 't', extract: 'number' }, 'NaN').kind, 'problem');
  });

  test('raw text converts to the attribute type', () => {
    assert.deepEqual(read({ type: 'boolean' }, { topic: 't' }, 'ON'), { kind: 'value', value: true });
    assert.deepEqual(read({ type: 'enum', values: ['heat', 'off'] }, { topic: 't' }, 'off'), { kind: 'value', value: 'off' });
    assert.equal(read({ type: 'enum', values: ['heat', 'off'] }, { topic: 't' }, 'cool').kind, 'problem');
    assert.deepEqual(read({ type: 'object' }, { topic: 't' }, '{"a":1}'), { kind: 'value', value: { a: 1 } });
  });

  test('JSON pointers, own properties only', () => {
    const source = { topic: 't', extract: { json: '/sensor/readings/1' } };
    assert.deepEqual(read({ type: 'number' }, source, '{"sensor":{"readings":[1,2.5]}}'), { kind: 'value', value: 2.5 });
    assert.match(String((read({ type: 'number' }, source, '{"sensor":{}}') as { problem: string }).problem), /nothing at JSON pointer/);
    assert.match(String((read({ type: 'number' }, source, 'not json') as { problem: string }).problem), /is not JSON/);
    assert.deepEqual(resolvePointer({ 'a/b': { '~': 1 } }, '/a~1b/~0'), { ok: true, value: 1 });
    assert.deepEqual(resolvePointer({}, '/constructor'), { ok: false });
  });

  test('values outside the attribute\'s range are problems, not values', () => {
    const result = read({ type: 'number', min: 0, max: 100 }, { topic: 't', extract: 'number' }, '140');
    assert.equal(result.kind, 'problem');
  });
});
