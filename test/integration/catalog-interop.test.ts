// Devices whose lists deviate like third-party stacks' (issue 13) on real brokers: the catalog keeps every good
// list and names each broken one, the tools stay callable, and an agent (the SDK Client over the gateway) gets
// the good lists too. The CLI side (`list`, `call --json`) is in catalog-interop-cli.test.ts.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { DEVIANT_PROMPTS, DEVIANT_RESOURCES, DEVIANT_TEMPLATES, PRESETS, RAW_TOOL_NAMES, startDeviantDevice, type DeviantDeviceOptions } from '../fixtures/deviant-device.js';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';
import { CatalogCache } from '../../src/core/client/catalog.js';
import { McpGateway } from '../../src/core/gateway/index.js';

const uid = (): string => randomBytes(5).toString('hex');
const TIMEOUTS = { callMs: 5000, listMs: 5000, initializeMs: 5000, pingMs: 5000 };
/** Short enough that the never-answered list costs the test little, long enough for answered lists on a loaded machine. */
const LIST_TIMEOUT_MS = 1500;

const textOf = (r: unknown): string => ((r as { content?: unknown }).content as { text?: string }[] | undefined)?.[0]?.text ?? '';

for (const kind of brokerKinds()) {
  describe(`catalog of deviant devices on ${kind}`, () => {
    let broker: TestBroker;
    let client: McpMqttClient;
    let catalogs: CatalogCache;
    const prefix = `ci${uid()}`;
    const cleanups: (() => Promise<unknown>)[] = [];

    async function device(name: string, options: Pick<DeviantDeviceOptions, 'lists' | 'deviations'>): Promise<string> {
      const serverName = `${prefix}/${name}`;
      const d = await startDeviantDevice({ url: broker.url, serverId: `dv-${uid()}`, serverName, ...options });
      cleanups.push(() => d.stop());
      await waitOnline(client, serverName);
      return serverName;
    }

    before(async () => {
      broker = await startBroker(kind);
      client = new McpMqttClient({ broker: { url: broker.url }, reconnect: false, timeouts: TIMEOUTS, serverNameFilters: [`${prefix}/#`] });
      await client.connect();
      catalogs = new CatalogCache(client, { listTimeoutMs: LIST_TIMEOUT_MS });
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    });
    after(async () => {
      await client.close();
      await broker.stop();
    });

    it('EMQX TS SDK: templates and prompts advertised but -32601 → empty with a note; tools and resources kept, tools callable', async () => {
      const name = await device('emqx-ts', PRESETS.emqxTs);
      const catalog = await catalogs.get(name);
      assert.deepEqual(catalog.tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.deepEqual(catalog.resources.map((r) => r.uri), DEVIANT_RESOURCES.map((r) => r.uri));
      assert.deepEqual(catalog.resourceTemplates, []);
      assert.deepEqual(catalog.prompts, []);
      assert.deepEqual(
        catalog.problems.map((p) => [p.list, p.method, p.kind]),
        [
          ['resourceTemplates', 'resources/templates/list', 'unimplemented'],
          ['prompts', 'prompts/list', 'unimplemented'],
        ],
      );
      assert.match(catalog.problems[0]?.message ?? '', /^resources\/templates\/list: not implemented \(-32601\) although the server advertises "resources"/);
      const session = await client.session(name);
      assert.equal(textOf(await session.callTool('add', { a: 2, b: 3 })), '5');
    });

    it('paho-C: `contents` instead of `resources` → one line naming method and field; unanswered templates → timeout; the rest shown', async () => {
      const name = await device('paho-c', PRESETS.pahoC);
      const catalog = await catalogs.get(name);
      assert.deepEqual(catalog.tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.deepEqual(catalog.resources, []);
      assert.deepEqual(catalog.resourceTemplates, []);
      assert.deepEqual(catalog.prompts.map((p) => p.name), DEVIANT_PROMPTS.map((p) => p.name));
      const byList = Object.fromEntries(catalog.problems.map((p) => [p.list, p]));
      assert.deepEqual(Object.keys(byList), ['resources', 'resourceTemplates']);
      assert.equal(byList.resources?.kind, 'malformed');
      assert.equal(byList.resources?.message, 'resources/list: result has no "resources" array (got keys: contents)');
      assert.equal(byList.resourceTemplates?.kind, 'timeout');
      assert.equal(byList.resourceTemplates?.message, 'resources/templates/list: no answer within 1500 ms; shown as empty');
      for (const p of catalog.problems) assert.doesNotMatch(p.message, /\n|"path"|invalid_type/, 'one line, no zod dump');
      assert.equal(textOf(await (await client.session(name)).callTool('echo', { text: 'hi' })), 'hi');
    });

    it('an invalid tool is dropped and named; the valid tools stay', async () => {
      const name = await device('bad-tool', { lists: { invalidTool: true } });
      const catalog = await catalogs.get(name);
      assert.deepEqual(catalog.tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.equal(catalog.problems.length, 1);
      assert.equal(catalog.problems[0]?.kind, 'malformed');
      assert.match(catalog.problems[0]?.message ?? '', /^tools\/list: dropped 1 of 5 tools: #5 "no schema": inputSchema: /);
      assert.deepEqual(catalog.resourceTemplates.map((t) => t.uriTemplate), DEVIANT_TEMPLATES.map((t) => t.uriTemplate));
    });

    it('no ping and no user properties: listed in full and callable; the ping itself times out', async () => {
      const name = await device('no-ping', { lists: { noPing: true }, deviations: { noUserProperties: true } });
      const catalog = await catalogs.get(name);
      assert.deepEqual(catalog.problems, []);
      assert.deepEqual(catalog.tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.equal(catalog.prompts.length, 1);
      const session = await client.session(name);
      assert.equal(textOf(await session.callTool('add', { a: 1, b: 1 })), '2');
      await assert.rejects(session.ping({ timeoutMs: 300 }), (e: unknown) => e instanceof McpError && e.code === -32001);
    });

    it('tolerates {pong:true}, no user properties, 2024-11-05, no server_name in presence and a name with spaces: full catalog, no problems', async () => {
      const name = await device('living room/plug 1', {
        deviations: { pongTrue: true, noUserProperties: true, protocolVersion2024: true, noServerNameInPresence: true },
      });
      const catalog = await catalogs.get(name);
      assert.deepEqual(catalog.problems, []);
      assert.deepEqual(catalog.tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.deepEqual(catalog.resources.map((r) => r.uri), DEVIANT_RESOURCES.map((r) => r.uri));
      assert.equal(catalog.resourceTemplates.length, 1);
      assert.equal(catalog.prompts.length, 1);
      const session = await client.session(name);
      assert.equal(session.client.getServerCapabilities()?.prompts !== undefined, true);
      await session.ping();
      assert.equal(textOf(await session.callTool('echo', { text: 'tolerant' })), 'tolerant');
    });

    it('the agent (SDK Client over the gateway) gets the good lists: empty for -32601, valid items for malformed, empty for unanswered', async () => {
      const emqx = await device('gw-emqx', PRESETS.emqxTs);
      const paho = await device('gw-paho', PRESETS.pahoC);
      const badTool = await device('gw-bad-tool', { lists: { invalidTool: true, noPing: true } });
      const gateway = new McpGateway({ client, listTimeoutMs: LIST_TIMEOUT_MS, pingTimeoutMs: 300 });
      const { token } = await gateway.start();
      cleanups.push(() => gateway.stop());
      const agent = async (serverName: string): Promise<Client> => {
        const c = new Client({ name: 'interop-agent', version: '1.0.0' });
        await c.connect(new StreamableHTTPClientTransport(new URL(gateway.urlFor(serverName)), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        cleanups.push(() => c.close());
        return c;
      };

      const a = await agent(emqx);
      assert.deepEqual((await a.listTools()).tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.deepEqual((await a.listResourceTemplates()).resourceTemplates, []);
      assert.deepEqual((await a.listPrompts()).prompts, []);
      assert.equal(textOf(await a.callTool({ name: 'add', arguments: { a: 4, b: 5 } })), '9');

      const b = await agent(paho);
      assert.deepEqual((await b.listResources()).resources, []);
      assert.deepEqual((await b.listResourceTemplates()).resourceTemplates, [], 'never answered: empty after the list timeout');
      assert.deepEqual((await b.listPrompts()).prompts.map((p) => p.name), DEVIANT_PROMPTS.map((p) => p.name));
      assert.equal(textOf(await b.callTool({ name: 'echo', arguments: { text: 'via gateway' } })), 'via gateway');

      const c = await agent(badTool);
      assert.deepEqual((await c.listTools()).tools.map((t) => t.name), RAW_TOOL_NAMES);
      await assert.rejects(c.ping(), (e: unknown) => e instanceof McpError && /did not answer ping within 0\.3 s/.test(e.message));
      assert.equal(textOf(await c.callTool({ name: 'add', arguments: { a: 1, b: 2 } })), '3', 'the session survives the unanswered ping');
    });

    it('a correct list passes through the gateway unchanged (no repair when nothing is wrong)', async () => {
      const name = await device('gw-good', {});
      const gateway = new McpGateway({ client });
      const { token } = await gateway.start();
      cleanups.push(() => gateway.stop());
      const c = new Client({ name: 'interop-agent', version: '1.0.0' });
      await c.connect(new StreamableHTTPClientTransport(new URL(gateway.urlFor(name)), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      cleanups.push(() => c.close());
      assert.deepEqual((await c.listResources()).resources, DEVIANT_RESOURCES);
      assert.deepEqual((await c.listResourceTemplates()).resourceTemplates, DEVIANT_TEMPLATES);
      assert.deepEqual((await c.listPrompts()).prompts, DEVIANT_PROMPTS);
    });
  });
}

async function waitOnline(client: McpMqttClient, serverName: string): Promise<void> {
  if (client.registry.get(serverName)?.online) return;
  await new Promise<void>((resolve) => {
    const stop = client.registry.onDidChange(() => {
      if (!client.registry.get(serverName)?.online) return;
      stop();
      resolve();
    });
  });
}
