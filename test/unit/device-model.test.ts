import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DeviceModelError, loadDeviceModel, parseDeviceModel, type ModelIssue } from '../../src/core/device/index.js';
import { evaluateExpression, renderTemplate, resolveValue, type ExpressionScope } from '../../src/core/device/expression.js';

const examplesDir = join(__dirname, '../../examples/devices');

function issuesOf(text: string, format: 'json' | 'yaml'): ModelIssue[] {
  try {
    parseDeviceModel(text, format, 'broken');
  } catch (error) {
    assert.ok(error instanceof DeviceModelError, `expected a DeviceModelError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n\s+at /, 'message must not contain a stack trace');
    return error.issues;
  }
  assert.fail('the model was accepted');
}

/** A valid base to break one field at a time. */
function baseModel(): Record<string, unknown> {
  return {
    serverName: 'test/device/{n}',
    description: 'Test device',
    attributes: {
      temperature: { type: 'number', initial: 20, unit: '°C' },
      target: { type: 'number', initial: 21 },
      mode: { type: 'enum', values: ['heat', 'off'], initial: 'heat' },
    },
    functions: [
      { name: 'set_target', description: 'Set it', parameters: { type: 'object', properties: { target: { type: 'number' } } }, set: { target: '$args.target' } },
    ],
    events: [{ name: 'hot', when: 'temperature > 30', message: 'Hot: {{temperature}}' }],
  };
}

const json = (mutate: (m: Record<string, unknown> & { functions: Record<string, unknown>[]; attributes: Record<string, Record<string, unknown>>; events: Record<string, unknown>[] }) => void): string => {
  const model = baseModel() as Parameters<typeof mutate>[0];
  mutate(model);
  return JSON.stringify(model, null, 2);
};

describe('example device models', () => {
  const files = readdirSync(examplesDir).filter((f) => /\.(json|ya?ml)$/.test(f));

  test('there are at least four examples, two of them YAML', () => {
    assert.ok(files.length >= 4, files.join(', '));
    assert.ok(files.filter((f) => /\.ya?ml$/.test(f)).length >= 2);
  });

  for (const file of files) {
    test(`${file} loads`, async () => {
      const model = await loadDeviceModel({ path: join(examplesDir, file) });
      assert.ok(model.functions.length > 0);
      assert.ok(Object.keys(model.attributes).length > 0);
      assert.equal(model.source, join(examplesDir, file));
    });
  }
});

describe('broken models report the path of the bad field', () => {
  const cases: { name: string; text: string; format?: 'json' | 'yaml'; path: string; message: RegExp }[] = [
    {
      name: 'tool parameters that are not an object schema',
      text: json((m) => {
        m.functions.push({ name: 'a', description: 'a' }, { name: 'b', description: 'b', parameters: { type: 'string' } });
      }),
      path: 'functions[2].parameters.type',
      message: /^must be one of: object$/,
    },
    {
      name: 'a drift rate that is not a number',
      text: json((m) => { m.attributes.temperature!.drift = { rate: 'fast' }; }),
      path: 'attributes.temperature.drift.rate',
      message: /^expected a number$/,
    },
    { name: 'a missing description', text: json((m) => { delete m.description; }), path: 'description', message: /^is required$/ },
    {
      name: 'a misspelt property, with a suggestion',
      text: json((m) => { m.functions[0]!.latncyMs = 100; }),
      path: 'functions[0].latncyMs',
      message: /unknown property \(did you mean "latencyMs"\?\)/,
    },
    { name: "'#' in the server name", text: json((m) => { m.serverName = 'test/#'; }), path: 'serverName', message: /must not contain '\+' or '#'/ },
    { name: 'an unknown placeholder in the server name', text: json((m) => { m.serverName = 'test/{serial}'; }), path: 'serverName', message: /unknown placeholder \{serial\}/ },
    {
      name: 'an effect on an unknown attribute',
      text: json((m) => { m.functions[0]!.set = { temprature: 3 }; }),
      path: 'functions[0].set.temprature',
      message: /unknown attribute "temprature"/,
    },
    {
      name: 'duplicate function names',
      text: json((m) => { m.functions.push({ name: 'set_target', description: 'again' }); }),
      path: 'functions[1].name',
      message: /duplicate name "set_target" \(also functions\[0\]\)/,
    },
    {
      name: 'an expression that does not parse',
      text: json((m) => { m.events[0]!.when = 'temperature >'; }),
      path: 'events[0].when',
      message: /bad expression "temperature >": unexpected end of expression/,
    },
    {
      name: 'an expression reading an undeclared argument',
      text: json((m) => { m.functions[0]!.set = { target: '$args.tgt' }; }),
      path: 'functions[0].set.target',
      message: /unknown argument "tgt" \(declared: target\)/,
    },
    {
      name: 'a template reading an unknown attribute',
      text: json((m) => { m.events[0]!.message = 'Hot: {{temperatur}}'; }),
      path: 'events[0].message',
      message: /unknown attribute "temperatur"/,
    },
    { name: 'an enum initial value that is not listed', text: json((m) => { m.attributes.mode!.initial = 'cool'; }), path: 'attributes.mode.initial', message: /expected one of heat, off, got "cool"/ },
    { name: 'an initial value of the wrong type', text: json((m) => { m.attributes.target!.initial = 'warm'; }), path: 'attributes.target.initial', message: /^expected a number$/ },
    {
      name: 'drift on a string attribute',
      text: json((m) => { m.attributes.label = { type: 'string', initial: 'x', drift: { rate: 1 } }; }),
      path: 'attributes.label.drift',
      message: /only number and integer attributes have drift/,
    },
    {
      name: 'an outputSchema without structured output',
      text: json((m) => { m.functions[0]!.outputSchema = { type: 'object' }; }),
      path: 'functions[0].returns.structured',
      message: /required when outputSchema is given/,
    },
    { name: 'cancelling an unknown function', text: json((m) => { m.functions[0]!.cancels = ['stop_everything']; }), path: 'functions[0].cancels[0]', message: /unknown function "stop_everything"/ },
    { name: 'an event with neither condition nor period', text: json((m) => { delete m.events[0]!.when; }), path: 'events[0]', message: /needs one of: when, everySeconds/ },
    {
      name: 'an invalid JSON Schema type inside parameters',
      text: json((m) => { m.functions[0]!.parameters = { type: 'object', properties: { target: { type: 'numbr' } } }; }),
      path: 'functions[0].parameters.properties.target.type',
      message: /must be one of: array, boolean, integer, null, number, object, string/,
    },
    { name: 'a latency range upside down', text: json((m) => { m.functions[0]!.latencyMs = { min: 500, max: 100 }; }), path: 'functions[0].latencyMs.min', message: /greater than max \(100\)/ },
    { name: 'a latency that is neither number nor range', text: json((m) => { m.functions[0]!.latencyMs = true; }), path: 'functions[0].latencyMs', message: /expected a number or a string or an object/ },
    { name: 'a constant of the wrong type in an effect', text: json((m) => { m.functions[0]!.set = { target: 'hot' }; }), path: 'functions[0].set.target', message: /expected a number, got "hot"/ },
    { name: 'an attribute name that is not an identifier', text: json((m) => { m.attributes['1st'] = { type: 'integer', initial: 1 }; }), path: 'attributes["1st"]', message: /name must start with a letter/ },
    { name: 'an attribute named like a scope root', text: json((m) => { m.attributes.args = { type: 'integer', initial: 1 }; }), path: 'attributes.args', message: /reserved in expressions/ },
    { name: 'progress without latency', text: json((m) => { m.functions[0]!.progress = { steps: 3 }; }), path: 'functions[0].progress', message: /needs latencyMs/ },
    { name: 'a failure rate above 1', text: json((m) => { m.functions[0]!.failureRate = 1.5; }), path: 'functions[0].failureRate', message: /must be <= 1/ },
    { name: 'the user\'s answer read without elicit', text: json((m) => { m.functions[0]!.returns = { text: '{{elicited.reason}}' }; }), path: 'functions[0].returns', message: /elicited is only available after the function's elicit/ },
    { name: 'a sampled field that does not exist', text: json((m) => { m.functions[0]!.sample = { prompt: 'hi' }; m.functions[0]!.returns = { text: '{{sampled.answer}}' }; }), path: 'functions[0].returns', message: /sampled has text and model, not "answer"/ },
    { name: 'an elicit without a message', text: json((m) => { m.functions[0]!.elicit = { schema: { type: 'object' } } as never; }), path: 'functions[0].elicit.message', message: /is required/ },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const issues = issuesOf(c.text, c.format ?? 'json');
      const match = issues.find((i) => i.path === c.path);
      assert.ok(match, `no issue at ${c.path}; got ${JSON.stringify(issues)}`);
      assert.match(match.message, c.message);
    });
  }

  test('every problem is reported, not just the first', () => {
    const issues = issuesOf(json((m) => {
      m.attributes.temperature!.drift = { rate: 'fast' };
      m.functions[0]!.set = { nope: 1 };
    }), 'json');
    // Schema problems stop before the semantic pass, so only the schema one shows here.
    assert.deepEqual(issues.map((i) => i.path), ['attributes.temperature.drift.rate']);
    const semantic = issuesOf(json((m) => {
      m.functions[0]!.set = { nope: 1 };
      m.events[0]!.when = 'ghost > 1';
    }), 'json');
    assert.deepEqual(semantic.map((i) => i.path).sort(), ['events[0].when', 'functions[0].set.nope']);
  });

  test('issues in YAML carry the line and column of the bad field', () => {
    const text = [
      'serverName: test/device',
      'description: Test',
      'attributes:',
      '  temperature:',
      '    type: number',
      '    initial: 20',
      '    drift:',
      '      rate: fast',
    ].join('\n');
    const [issue] = issuesOf(text, 'yaml');
    assert.equal(issue?.path, 'attributes.temperature.drift.rate');
    assert.equal(issue?.line, 8);
    assert.equal(issue?.column, 7);
  });

  test('issues in JSON carry a line too', () => {
    const text = json((m) => { m.functions[0]!.latencyMs = 'slow'; });
    const issue = issuesOf(text, 'json').find((i) => i.path === 'functions[0].latencyMs');
    assert.ok(issue);
    const expectedLine = text.split('\n').findIndex((l) => l.includes('"latencyMs"')) + 1;
    assert.equal(issue.line, expectedLine);
  });

  test('YAML syntax errors give line and column', () => {
    const [issue] = issuesOf('serverName: a/b\ndescription: "unterminated\nattributes: {}\n', 'yaml');
    assert.match(issue!.message, /^YAML syntax error/);
    assert.equal(typeof issue!.line, 'number');
    assert.equal(typeof issue!.column, 'number');
  });

  test('YAML duplicate keys are errors', () => {
    const [issue] = issuesOf('serverName: a/b\ndescription: x\ndescription: y\n', 'yaml');
    assert.match(issue!.message, /unique/);
    assert.equal(issue!.line, 3);
  });

  test('JSON syntax errors give line and column', () => {
    const [issue] = issuesOf('{\n  "serverName": "a/b",\n  "description": "x",,\n}', 'json');
    assert.match(issue!.message, /^JSON syntax error/);
    assert.equal(issue!.line, 3);
    assert.ok(issue!.column! > 1);
  });

  test('a missing file is a model error, not a crash', async () => {
    await assert.rejects(loadDeviceModel({ path: join(examplesDir, 'no-such-device.yaml') }), (error: unknown) => {
      assert.ok(error instanceof DeviceModelError);
      assert.match(error.message, /file not found/);
      return true;
    });
  });

  test('a model that is not an object says so', () => {
    const [issue] = issuesOf('- just\n- a list\n', 'yaml');
    assert.equal(issue!.path, '');
    assert.match(issue!.message, /expected an object/);
  });
});

describe('expressions and templates', () => {
  const scope: ExpressionScope = {
    args: { target: 25, name: 'Ada' },
    attributes: { temperature: 21.456, mode: 'heat', on: true, config: { units: 'metric' } },
    instance: { n: 2, id: 'dev-2', serverName: 'home/t/2' },
  };

  test('operators follow the usual precedence', () => {
    assert.equal(evaluateExpression('1 + 2 * 3', scope), 7);
    assert.equal(evaluateExpression('(1 + 2) * 3', scope), 9);
    assert.equal(evaluateExpression('-2 * -3 % 4', scope), 2);
    assert.equal(evaluateExpression('temperature > 20 && mode == "heat"', scope), true);
    assert.equal(evaluateExpression('not on or mode != \'heat\'', scope), false);
    assert.equal(evaluateExpression('args.target > temperature ? "heating" : "idle"', scope), 'heating');
    assert.equal(evaluateExpression('"a" + 1 + 2', scope), 'a12');
    assert.equal(evaluateExpression('"apple" < "banana"', scope), true);
  });

  test('names resolve to attributes, args and instance', () => {
    assert.equal(evaluateExpression('attributes.temperature', scope), 21.456);
    assert.equal(evaluateExpression('config.units', scope), 'metric');
    assert.equal(evaluateExpression('config["units"]', scope), 'metric');
    assert.equal(evaluateExpression('instance.id', scope), 'dev-2');
    assert.equal(evaluateExpression('round(temperature, 1) + min(1, 2, -3) + clamp(50, 0, 10)', scope), 21.5 - 3 + 10);
    assert.equal(evaluateExpression('fixed(temperature, 2)', scope), '21.46');
  });

  test('no way out to JavaScript internals', () => {
    assert.equal(evaluateExpression('config.constructor', scope), undefined);
    assert.equal(evaluateExpression('config["__proto__"]', scope), undefined);
    assert.equal(evaluateExpression('mode.constructor', scope), undefined);
    assert.equal(evaluateExpression('config.toString', scope), undefined);
    assert.throws(() => evaluateExpression('eval("1")', scope), /unknown function 'eval'/);
    assert.throws(() => evaluateExpression('x = 1', scope), /unexpected character '='/);
  });

  test('templates and values keep types where they can', () => {
    assert.equal(renderTemplate('Hello {{args.name}}, {{temperature}} °C', scope), 'Hello Ada, 21.456 °C');
    assert.equal(renderTemplate('{{config}}', scope), '{"units":"metric"}');
    assert.equal(resolveValue('$args.target + 1', scope), 26);
    assert.equal(resolveValue('{{args.target}}', scope), 25);
    assert.equal(resolveValue('$$5', scope), '$5');
    assert.equal(resolveValue('plain text', scope), 'plain text');
    assert.deepEqual(resolveValue({ a: ['$on', 3] }, scope), { a: [true, 3] });
  });
});
