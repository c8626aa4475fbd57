// Simulated devices from the example models asking their caller, over MQTT on real brokers: the printer's
// cancel_print asks the user to confirm (elicit) and the thermostat's explain_schedule asks the client's
// model (sample). Accepted: the action is done; declined, refused or not supported: nothing changes and
// the result says why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CallToolResult, CreateMessageRequest, ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { Simulator } from '../../src/core/simulator/simulator.js';
import { loadDeviceModel } from '../../src/core/device/index.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { DeviceRequestDeclined, type DeviceRequestHandlers } from '../../src/core/client/device-requests.js';
import { waitUntil } from '../fixtures/raw-device.js';

const examples = join(__dirname, '..', '..', 'examples', 'devices');
const textOf = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

for (const kind of brokerKinds()) {
  describe(`device functions that ask their client (${kind})`, () => {
    let broker: TestBroker;
    let simulator: Simulator;
    const clients: McpMqttClient[] = [];
    const prefix = `asks${randomBytes(3).toString('hex')}`;
    let printer: string;
    let thermostat: string;
    const elicited: ElicitRequest['params'][] = [];
    const sampled: CreateMessageRequest['params'][] = [];

    async function client(deviceRequests?: DeviceRequestHandlers): Promise<McpMqttClient> {
      const c = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, serverNameFilters: [`${prefix}/#`], deviceRequests });
      clients.push(c);
      await c.connect();
      await waitUntil(() => c.registry.get(printer) !== undefined && c.registry.get(thermostat) !== undefined, 'both devices discovered');
      return c;
    }

    before(async () => {
      broker = await startBroker(kind);
      simulator = new Simulator({ broker: { url: broker.url }, tickMs: 1000 });
      const printerModel = await loadDeviceModel({ path: join(examples, '3d-printer-ach301.device.yaml') });
      const thermostatModel = await loadDeviceModel({ path: join(examples, 'smart-thermostat.device.yaml') });
      printer = (await simulator.add({ ...printerModel, serverName: `${prefix}/printer/{id}` }))[0]!.serverName;
      thermostat = (await simulator.add({ ...thermostatModel, serverName: `${prefix}/thermostat/{n}` }))[0]!.serverName;
    });
    after(async () => {
      for (const c of clients) await c.close();
      await simulator?.stop();
      await broker?.stop();
    });

    const listsCancel = async (c: McpMqttClient): Promise<boolean> => (await (await c.session(printer)).listTools()).some((t) => t.name === 'cancel_print');

    /** Starts a long print through `c` and waits until cancel_print is listed. */
    async function startPrinting(c: McpMqttClient): Promise<{ done: Promise<CallToolResult> }> {
      const session = await c.session(printer);
      const printing = session.callTool('start_print', { file: `part-${randomBytes(2).toString('hex')}.gcode`, duration_seconds: 600 }) as Promise<CallToolResult>;
      // Waits on the device's state (its tool list), bounded by the test timeout.
      while (!(await listsCancel(c))) await new Promise((r) => setTimeout(r, 20));
      return { done: printing }; // wrapped: an async function returning the promise would wait for the whole print
    }

    test('a confirmation accepted: the print is cancelled, with the reason the user gave', async () => {
      const c = await client({ elicit: async (params) => (elicited.push(params), { action: 'accept', content: { reason: 'wrong filament' } }) });
      const { done: printing } = await startPrinting(c);
      const session = await c.session(printer);
      const cancel = (await session.callTool('cancel_print')) as CallToolResult;
      assert.equal(cancel.isError, undefined, textOf(cancel));
      assert.match(textOf(cancel), /^Cancelled part-\w+\.gcode at \d+ %\. Reason: wrong filament$/);
      assert.match(textOf(await printing), /stopped: cancelled by cancel_print/);
      const asked = elicited.at(-1)!;
      assert.match(asked.message, /^Cancel printing part-\w+\.gcode\? It is at \d+ %/);
      assert.deepEqual(Object.keys((asked as { requestedSchema: { properties: object } }).requestedSchema.properties), ['reason']);
    });

    for (const [action, done] of [['decline', 'declined'], ['cancel', 'cancelled']] as const) {
      test(`a confirmation ${done}: the print goes on and the result says so`, async () => {
        const c = await client({ elicit: async (): Promise<ElicitResult> => ({ action }) });
        const { done: printing } = await startPrinting(c);
        const session = await c.session(printer);
        const cancel = (await session.callTool('cancel_print')) as CallToolResult;
        assert.equal(cancel.isError, true);
        assert.equal(textOf(cancel), `cancel_print was not done: the user ${done} the confirmation.`);
        assert.ok(await listsCancel(c), 'still printing');
        // Cleanup through a client that accepts, so the next test starts idle.
        const accepting = await client({ elicit: async () => ({ action: 'accept', content: {} }) });
        assert.match(textOf((await (await accepting.session(printer)).callTool('cancel_print')) as CallToolResult), /^Cancelled/);
        await printing;
      });
    }

    test('a client without elicitation: the device refuses to act and says why', async () => {
      const c = await client();
      const { done: printing } = await startPrinting(c);
      const session = await c.session(printer);
      const cancel = (await session.callTool('cancel_print')) as CallToolResult;
      assert.equal(cancel.isError, true);
      assert.match(textOf(cancel), /needs the user's confirmation, but this client does not support elicitation.*Nothing was done/);
      const accepting = await client({ elicit: async () => ({ action: 'accept', content: {} }) });
      await (await accepting.session(printer)).callTool('cancel_print');
      await printing;
    });

    test("sampling answered: the model's text is the result", async () => {
      const c = await client({
        sample: async (params) => {
          sampled.push(params);
          return { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'It is heating toward 21 °C.' }, stopReason: 'endTurn' };
        },
      });
      const result = (await (await c.session(thermostat)).callTool('explain_schedule')) as CallToolResult;
      assert.equal(result.isError, undefined, textOf(result));
      assert.equal(textOf(result), 'It is heating toward 21 °C.');
      const asked = sampled.at(-1)!;
      assert.equal(asked.maxTokens, 200);
      assert.match(asked.systemPrompt ?? '', /explain home heating/);
      const content = asked.messages[0]!.content;
      assert.match(!Array.isArray(content) && content.type === 'text' ? content.text : '', /^The room is [\d.]+ °C, the target 21 °C/);
    });

    test('sampling refused, and a client without sampling: clear errors', async () => {
      const refusing = await client({ sample: async () => { throw new DeviceRequestDeclined('sampling', 'the user declined the request'); } });
      const refused = (await (await refusing.session(thermostat)).callTool('explain_schedule')) as CallToolResult;
      assert.equal(refused.isError, true);
      assert.equal(textOf(refused), 'explain_schedule: the client did not sample (sampling: the user declined the request).');
      const without = (await (await (await client()).session(thermostat)).callTool('explain_schedule')) as CallToolResult;
      assert.equal(without.isError, true);
      assert.match(textOf(without), /needs a language model, but this client does not support sampling/);
    });
  });
}
