// Devices as real MCP servers: an SDK Client talks to DeviceRuntime.createServer over InMemoryTransport.
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  ElicitRequestSchema, LoggingMessageNotificationSchema, McpError, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema,
  type CallToolResult, type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { createDeviceSession, DeviceRuntime, loadDeviceModel, type SessionOptions } from '../../src/core/device/index.js';

const examplesDir = join(__dirname, '../../examples/devices');
const exampleFile = (part: string): string => join(examplesDir, readdirSync(examplesDir).find((f) => f.includes(part))!);

const openClients: Client[] = [];
after(async () => {
  await Promise.all(openClients.map((c) => c.close()));
});

async function device(part: string, instance = { index: 1, serverId: 'dev-1' }, options: ConstructorParameters<typeof DeviceRuntime>[2] = {}) {
  return new DeviceRuntime(await loadDeviceModel({ path: exampleFile(part) }), instance, options);
}

/** A connected client that records the notifications a test may look at. */
async function connect(runtime: DeviceRuntime, sessionOptions?: SessionOptions, clientOptions?: ConstructorParameters<typeof Client>[1]) {
  const server = createDeviceSession(runtime, `client-${openClients.length}`, sessionOptions);
  const client = new Client({ name: 'device-test', version: '1.0.0' }, clientOptions);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  openClients.push(client);
  const updated: string[] = [];
  const logs: { level: string; data: Record<string, unknown> }[] = [];
  let toolListChanges = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push({ level: n.params.level, data: n.params.data as Record<string, unknown> }));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolListChanges++);
  return { client, server, updated, logs, toolListChanges: () => toolListChanges };
}

/** Lets notifications already sent reach the client: a ping round trip is ordered after them. */
async function settle(client: Client): Promise<void> {
  await client.ping();
  await new Promise((resolve) => setImmediate(resolve));
}

/** Waits (without a deadline of its own; the test timeout bounds it) until the device reaches a state. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const textOf = (result: CallToolResult): string => result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');

describe('every example is a working MCP server', () => {
  for (const file of readdirSync(examplesDir).filter((f) => /\.(json|ya?ml)$/.test(f))) {
    test(`${file}: tools, resources and prompts list`, async () => {
      const runtime = new DeviceRuntime(await loadDeviceModel({ path: join(examplesDir, file) }), { index: 1, serverId: 'ex-1' });
      const { client } = await connect(runtime);
      assert.equal(client.getServerVersion()?.name, runtime.serverName);
      const { tools } = await client.listTools();
      assert.ok(tools.length > 0);
      for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
      const { resources } = await client.listResources();
      const attributeNames = Object.keys(runtime.model.attributes);
      assert.deepEqual(
        resources.map((r) => r.uri).sort(),
        [...attributeNames.map((n) => `device://${runtime.serverName}/attributes/${n}`), `device://${runtime.serverName}/events`].sort(),
      );
      const read = await client.readResource({ uri: resources[0]!.uri });
      const body = JSON.parse((read.contents[0] as { text: string }).text) as { value: unknown };
      assert.deepEqual(body.value, runtime.getAttributes()[attributeNames[0]!]);
      const { prompts } = await client.listPrompts();
      assert.ok(prompts.length > 0);
    });
  }
});

describe('thermostat', () => {
  test('set_target changes the attribute and notifies only subscribers of it', async () => {
    const runtime = await device('thermostat');
    const watcher = await connect(runtime);
    const bystander = await connect(runtime);
    const targetUri = 'device://home/thermostat/1/attributes/target';
    await watcher.client.subscribeResource({ uri: targetUri });
    const result = (await watcher.client.callTool({ name: 'set_target', arguments: { target: 25 } })) as CallToolResult;
    assert.equal(result.isError, undefined);
    assert.match(textOf(result), /^Target set to 25 °C \(now 19\.5 °C, mode heat\)\.$/);
    assert.equal(runtime.getAttributes().target, 25);
    await watcher.client.callTool({ name: 'set_mode', arguments: { mode: 'eco' } });
    await settle(watcher.client);
    await settle(bystander.client);
    assert.deepEqual(watcher.updated, [targetUri], 'mode changed too, but nobody subscribed to it');
    assert.deepEqual(bystander.updated, []);
    await watcher.client.unsubscribeResource({ uri: targetUri });
    await watcher.client.callTool({ name: 'set_target', arguments: { target: 22 } });
    await settle(watcher.client);
    assert.equal(watcher.updated.length, 1);
  });

  test('get_status returns structured content that matches its outputSchema', async () => {
    const runtime = await device('thermostat');
    const { client } = await connect(runtime);
    await client.listTools(); // the client validates structuredContent against the cached outputSchema
    const result = (await client.callTool({ name: 'get_status', arguments: {} })) as CallToolResult;
    const attributes = runtime.getAttributes();
    assert.deepEqual(result.structuredContent, {
      temperature: attributes.temperature, target: 21, humidity: attributes.humidity, mode: 'heat', heating: true,
    });
    assert.deepEqual(JSON.parse(textOf(result)), result.structuredContent);
  });

  test('explicit error cases and argument checks give isError results', async () => {
    const runtime = await device('thermostat');
    const { client } = await connect(runtime);
    const outOfRange = (await client.callTool({ name: 'set_target', arguments: { target: 80 } })) as CallToolResult;
    assert.equal(outOfRange.isError, true);
    assert.match(textOf(outOfRange), /Invalid arguments for set_target: target: must be <= 32/);
    await client.callTool({ name: 'set_mode', arguments: { mode: 'off' } });
    const whileOff = (await client.callTool({ name: 'set_target', arguments: { target: 22 } })) as CallToolResult;
    assert.equal(whileOff.isError, true);
    assert.match(textOf(whileOff), /thermostat is off/);
    assert.equal(runtime.getAttributes().target, 21);
  });

  test('the generated set_attribute tool writes only writable attributes', async () => {
    const runtime = await device('thermostat');
    const { client } = await connect(runtime);
    const ok = (await client.callTool({ name: 'set_attribute', arguments: { name: 'mode', value: 'eco' } })) as CallToolResult;
    assert.equal(textOf(ok), 'mode is now "eco"');
    const readOnly = (await client.callTool({ name: 'set_attribute', arguments: { name: 'temperature', value: 40 } })) as CallToolResult;
    assert.equal(readOnly.isError, true);
    const badValue = (await client.callTool({ name: 'set_attribute', arguments: { name: 'target', value: 'toasty' } })) as CallToolResult;
    assert.equal(badValue.isError, true);
    assert.match(textOf(badValue), /target: expected a number/);
    assert.equal(runtime.getAttributes().temperature, 19.5);
  });

  test('events arrive as logging notifications, honouring each session\'s level, and update the events resource', async () => {
    const runtime = await device('thermostat');
    const everything = await connect(runtime);
    const errorsOnly = await connect(runtime);
    await errorsOnly.client.setLoggingLevel('error');
    await everything.client.subscribeResource({ uri: runtime.eventsUri });
    runtime.setAttribute('temperature', 31);
    await settle(everything.client);
    await settle(errorsOnly.client);
    assert.equal(everything.logs.length, 1);
    assert.equal(everything.logs[0]!.level, 'warning');
    assert.deepEqual({ ...everything.logs[0]!.data, time: undefined }, {
      event: 'overheat', message: 'Overheat: 31 °C (target 21 °C).', temperature: 31, target: 21, time: undefined,
    });
    assert.deepEqual(errorsOnly.logs, [], 'a warning is below the error level this session asked for');
    assert.ok(everything.updated.includes(runtime.eventsUri));
    const read = await everything.client.readResource({ uri: runtime.eventsUri });
    const history = JSON.parse((read.contents[0] as { text: string }).text) as { event: string }[];
    assert.deepEqual(history.map((e) => e.event), ['overheat']);
  });

  test('a prompt renders with arguments and device state', async () => {
    const runtime = await device('thermostat', { index: 4, serverId: 'thermostat-4' });
    const { client } = await connect(runtime);
    const prompt = await client.getPrompt({ name: 'comfort_check', arguments: { occupant: 'a sleeping baby' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    assert.match(text, /^The home\/thermostat\/4 thermostat reads 19\.5 °C/);
    assert.match(text, /The room is used by a sleeping baby\./);
  });
});

describe('3D printer', () => {
  test('start_print reports progress, completes the job and raises job_done', async () => {
    const runtime = await device('printer', { index: 1, serverId: 'ACH301-EECF7892AB1' });
    const { client, logs } = await connect(runtime);
    const progress: Progress[] = [];
    const result = (await client.callTool(
      { name: 'start_print', arguments: { file: 'benchy.gcode', material: 'PETG', duration_seconds: 1 } },
      undefined,
      { onprogress: (p) => void progress.push(p) },
    )) as CallToolResult;
    assert.equal(result.isError, undefined, textOf(result));
    assert.match(textOf(result), /^Printed benchy\.gcode in PETG\. 1 job\(s\) completed, 42 m of filament left\.$/);
    assert.equal(progress.length, 20);
    assert.deepEqual(progress.map((p) => p.progress), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.ok(progress.every((p) => p.total === 20));
    assert.equal(progress[9]!.message, 'benchy.gcode: layer 120 of 240 (50 %)');
    const attributes = runtime.getAttributes();
    assert.equal(attributes.state, 'idle');
    assert.equal(attributes.job_progress, 100);
    assert.equal(attributes.jobs_completed, 1);
    await settle(client);
    assert.deepEqual(logs.map((l) => l.data.event).filter((e) => e !== 'nozzle_ready'), ['job_started', 'job_done']);
    const job = (await client.callTool({ name: 'get_job', arguments: {} })) as CallToolResult;
    assert.equal((job.structuredContent as { serial: string }).serial, 'ACH301-EECF7892AB1');
  });

  test('cancel_print appears while printing and stops the running job', async () => {
    const runtime = await device('printer');
    const operator = await connect(runtime);
    // cancel_print asks for confirmation (elicit): this observer's user accepts.
    const observer = await connect(runtime, undefined, { capabilities: { elicitation: {} } });
    observer.client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: {} }));
    const namesOf = async (c: Client): Promise<string[]> => (await c.listTools()).tools.map((t) => t.name);
    assert.ok(!(await namesOf(observer.client)).includes('cancel_print'));
    const printing = operator.client.callTool({ name: 'start_print', arguments: { file: 'vase.gcode', duration_seconds: 600 } });
    await until(() => runtime.getAttributes().state === 'printing');
    assert.equal(runtime.getAttributes().nozzle_target, 210);
    assert.ok((await namesOf(observer.client)).includes('cancel_print'));
    const busy = (await observer.client.callTool({ name: 'start_print', arguments: { file: 'other.gcode' } })) as CallToolResult;
    assert.match(textOf(busy), /Printer is busy: vase\.gcode is at 0 %/);
    const cancel = (await observer.client.callTool({ name: 'cancel_print', arguments: {} })) as CallToolResult;
    assert.match(textOf(cancel), /^Cancelled vase\.gcode at 0 %\.$/);
    const stopped = (await printing) as CallToolResult;
    assert.equal(stopped.isError, true);
    assert.match(textOf(stopped), /start_print stopped: cancelled by cancel_print/);
    assert.deepEqual([runtime.getAttributes().state, runtime.getAttributes().nozzle_target, runtime.getAttributes().jobs_completed], ['idle', 24, 0]);
    await settle(observer.client);
    assert.equal(observer.toolListChanges(), 2, 'one when cancel_print appeared, one when it went away');
  });
});

describe('kitchen sink', () => {
  test('get_everything returns every content type plus structured content', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    await client.listTools();
    const result = (await client.callTool({ name: 'get_everything', arguments: {} })) as CallToolResult;
    assert.deepEqual(result.content.map((c) => c.type), ['text', 'image', 'audio', 'resource', 'resource_link']);
    const [, image, audio, embedded, link] = result.content as [unknown, { data: string }, { data: string }, { resource: { uri: string; text: string } }, { uri: string }];
    assert.deepEqual([...Buffer.from(image.data, 'base64').subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const wav = Buffer.from(audio.data, 'base64');
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
    assert.equal(wav.readUInt32LE(40), wav.length - 44, 'the data chunk covers the rest of the file');
    assert.equal(embedded.resource.uri, 'device://lab/kitchen-sink/1/files/notes.txt');
    assert.equal(embedded.resource.text, 'Counter is 0.');
    assert.equal(link.uri, 'device://lab/kitchen-sink/1/attributes/level');
    assert.equal((result.structuredContent as { at: string }).at, 'lab/kitchen-sink/1');
  });

  test('embedded resources carry text and blobs; resource links point at real resources', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    const embedded = (await client.callTool({ name: 'get_embedded_resource', arguments: {} })) as CallToolResult;
    const [config, blob] = embedded.content as { resource: { text?: string; blob?: string } }[];
    assert.deepEqual(JSON.parse(config!.resource.text!), { units: 'metric', beep: true });
    assert.equal(Buffer.from(blob!.resource.blob!, 'base64').toString('ascii', 1, 4), 'PNG');
    const links = (await client.callTool({ name: 'get_resource_link', arguments: {} })) as CallToolResult;
    const { resources } = await client.listResources();
    for (const link of links.content as { uri: string }[]) assert.ok(resources.some((r) => r.uri === link.uri), link.uri);
  });

  test('failure rate 1.0 always gives an isError result and changes nothing', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    for (let i = 0; i < 3; i++) {
      const result = (await client.callTool({ name: 'fail_always', arguments: {} })) as CallToolResult;
      assert.equal(result.isError, true);
      assert.equal(textOf(result), 'Device fault E42 (simulated), counter 0.');
    }
  });

  test('a partial failure rate follows the random source', async () => {
    const draws = [0.49, 0.0, 0.51, 0.0];
    const runtime = await device('kitchen-sink', undefined, { random: () => draws.shift() ?? 0 });
    const { client } = await connect(runtime);
    const first = (await client.callTool({ name: 'fail_sometimes', arguments: {} })) as CallToolResult;
    const second = (await client.callTool({ name: 'fail_sometimes', arguments: {} })) as CallToolResult;
    assert.deepEqual([first.isError, second.isError], [true, undefined]);
  });

  test('an error case with a code is a JSON-RPC error, not a result', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    await assert.rejects(client.callTool({ name: 'throw_error', arguments: {} }), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, -32603);
      assert.match(error.message, /Simulated internal error in lab\/kitchen-sink\/1/);
      assert.equal((error.data as { counter: number }).counter, 0);
      return true;
    });
    await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), (error: unknown) => error instanceof McpError && error.code === -32602);
  });

  test('cancelling a slow call stops it and applies its cancel effects', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow_task', arguments: { seconds: 60 } }, undefined, { signal: controller.signal });
    await until(() => runtime.getAttributes().status === 'busy');
    controller.abort('changed my mind');
    await assert.rejects(call);
    await until(() => runtime.getAttributes().status !== 'busy');
    assert.equal(runtime.getAttributes().status, 'cancelled');
  });

  test('a call longer than the client timeout is cancelled on the device too', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    await assert.rejects(client.callTool({ name: 'wait_forever', arguments: {} }, undefined, { timeout: 20 }), /timed out/i);
    await until(() => runtime.getAttributes().status !== 'ready');
    assert.equal(runtime.getAttributes().status, 'gave up waiting');
  });

  test('stopping the device ends running calls with an error result', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    const call = client.callTool({ name: 'slow_task', arguments: { seconds: 60 } });
    await until(() => runtime.getAttributes().status === 'busy');
    runtime.stop();
    const result = (await call) as CallToolResult;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /stopped: the device stopped/);
  });

  test('availableWhen adds and removes a tool, with list_changed to sessions and the hook', async () => {
    const runtime = await device('kitchen-sink');
    const kinds: string[] = [];
    runtime.onListChanged((kind) => kinds.push(kind));
    const { client, toolListChanges } = await connect(runtime);
    await client.callTool({ name: 'set_attribute', arguments: { name: 'secret_mode', value: true } });
    const secret = (await client.callTool({ name: 'secret_tool', arguments: {} })) as CallToolResult;
    assert.equal(textOf(secret), 'You found the secret tool.');
    runtime.setAttribute('secret_mode', false);
    const hidden = (await client.callTool({ name: 'secret_tool', arguments: {} })) as CallToolResult;
    assert.equal(hidden.isError, true);
    await settle(client);
    assert.deepEqual(kinds, ['tools', 'tools']);
    assert.equal(toolListChanges(), 2);
  });

  test("'external' sessions leave capability notifications to the runtime hooks", async () => {
    const runtime = await device('kitchen-sink');
    const hooked: string[] = [];
    runtime.onResourceUpdated((uri) => hooked.push(uri));
    const { client, updated } = await connect(runtime, { capabilityNotifications: 'external' });
    const counterUri = 'device://lab/kitchen-sink/1/attributes/counter';
    await client.subscribeResource({ uri: counterUri });
    await client.callTool({ name: 'increment', arguments: { by: 3 } });
    await settle(client);
    assert.deepEqual(hooked, [counterUri]);
    assert.deepEqual(updated, []);
  });

  test('reading or subscribing to an unknown resource is a resource-not-found error', async () => {
    const runtime = await device('kitchen-sink');
    const { client } = await connect(runtime);
    await assert.rejects(client.readResource({ uri: 'device://lab/kitchen-sink/1/attributes/nope' }), (e: unknown) => e instanceof McpError && e.code === -32002);
    await assert.rejects(client.subscribeResource({ uri: 'device://elsewhere/events' }), (e: unknown) => e instanceof McpError && e.code === -32002);
  });

  test('a closed session stops counting as a subscriber', async () => {
    const runtime = await device('kitchen-sink');
    const hooked: string[] = [];
    runtime.onResourceUpdated((uri) => hooked.push(uri));
    const { client } = await connect(runtime);
    const counterUri = 'device://lab/kitchen-sink/1/attributes/counter';
    await client.subscribeResource({ uri: counterUri });
    runtime.setAttribute('counter', 1);
    await client.close();
    runtime.setAttribute('counter', 2);
    assert.deepEqual(hooked, [counterUri]);
  });
});
