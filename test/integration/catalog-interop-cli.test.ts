// `mqtt-mcp list` and `call --json` as processes against deviant devices (issue 13) on real brokers: exit 0
// with one warning line per broken list when the tools came back, `problems` in --json, exit 1 (with the other
// lists still printed) when the tools did not, a JSON error object on stdout when a call fails, and `bridge`
// giving an SDK Client the good lists and its own ping timeout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { brokerKinds, startBroker, type TestBroker } from '../helpers/brokers.js';
import { DEVIANT_PROMPTS, PRESETS, RAW_TOOL_NAMES, startDeviantDevice, type DeviantDeviceOptions } from '../fixtures/deviant-device.js';
import type { RawDevice } from '../fixtures/raw-device.js';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
const uid = (): string => randomBytes(5).toString('hex');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface ListJson {
  tools: { name: string }[];
  resources: unknown[];
  resourceTemplates: unknown[];
  prompts: { name: string }[];
  problems: { list: string; method: string; kind: string; message: string }[];
}

for (const kind of brokerKinds()) {
  // Each test has devices of its own: the processes run side by side.
  describe(`mqtt-mcp list / call against deviant devices on ${kind}`, { concurrency: true }, () => {
    let broker: TestBroker;
    const devices: RawDevice[] = [];
    const prefix = `cc${uid()}`;

    async function device(name: string, options: Pick<DeviantDeviceOptions, 'lists' | 'deviations'>): Promise<string> {
      const serverName = `${prefix}/${name}`;
      devices.push(await startDeviantDevice({ url: broker.url, serverId: `dv-${uid()}`, serverName, ...options }));
      return serverName;
    }

    before(async () => {
      if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0);
      broker = await startBroker(kind);
    });
    after(async () => {
      for (const d of devices) await d.stop().catch(() => undefined);
      await broker.stop();
    });

    it('EMQX TS SDK device: exit 0, tools on stdout, one warning line per unimplemented list on stderr', async () => {
      const name = await device('emqx-ts', PRESETS.emqxTs);
      const r = await run(['list', '--broker', broker.url, '--server', name]);
      assert.equal(r.code, 0, r.stderr);
      for (const tool of RAW_TOOL_NAMES) assert.match(r.stdout, new RegExp(`^  ${tool}\\b`, 'm'));
      assert.match(r.stdout, /^Resource templates \(0, see warning\)$/m);
      const warnings = r.stderr.trim().split('\n');
      assert.deepEqual(
        warnings.map((l) => l.replace(/ not implemented.*/, '')),
        ['mqtt-mcp list: warning: resources/templates/list:', 'mqtt-mcp list: warning: prompts/list:'],
      );
      assert.doesNotMatch(r.stderr, /MCP error|"path"/);
    });

    it('paho-C device with --json: exit 0, the good lists and a problems array; the unanswered list costs --list-timeout', async () => {
      const name = await device('paho-c', PRESETS.pahoC);
      const r = await run(['list', '--broker', broker.url, '--server', name, '--json', '--list-timeout', '1500']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as ListJson;
      assert.deepEqual(out.tools.map((t) => t.name), RAW_TOOL_NAMES);
      assert.deepEqual(out.prompts.map((p) => p.name), DEVIANT_PROMPTS.map((p) => p.name));
      assert.deepEqual(
        out.problems.map((p) => [p.method, p.kind, p.message]),
        [
          ['resources/list', 'malformed', 'resources/list: result has no "resources" array (got keys: contents)'],
          ['resources/templates/list', 'timeout', 'resources/templates/list: no answer within 1500 ms; shown as empty'],
        ],
      );
      assert.match(r.stderr, /^mqtt-mcp list: warning: resources\/list: result has no "resources" array \(got keys: contents\)$/m);
    });

    it('a broken tools list: exit 1 with an error line, and the other lists are still printed', async () => {
      const name = await device('no-tools', { lists: { toolsMalformed: true } });
      const r = await run(['list', '--broker', broker.url, '--server', name, '--json']);
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as ListJson;
      assert.deepEqual(out.tools, []);
      assert.equal(out.prompts.length, 1);
      assert.deepEqual(out.problems.map((p) => p.message), ['tools/list: result has no "tools" array (got keys: items)']);
      assert.match(r.stderr, /^mqtt-mcp list: error: tools\/list: result has no "tools" array/m);
    });

    it('call --json prints a JSON error object on stdout when the call fails (and when the server is unknown)', async () => {
      const name = await device('call', {});
      const failed = await run(['call', '--broker', broker.url, '--server', name, '--tool', 'nope', '--json']);
      assert.equal(failed.code, 1);
      const error = (JSON.parse(failed.stdout) as { error: { code?: number; message: string; server: string; tool: string } }).error;
      assert.equal(error.code, -32602);
      assert.equal(error.server, name);
      assert.equal(error.tool, 'nope');
      assert.match(error.message, /unknown tool nope/);
      assert.match(failed.stderr, /unknown tool nope/);

      const unknown = await run(['call', '--broker', broker.url, '--server', `${prefix}/absent`, '--tool', 'add', '--json']);
      assert.equal(unknown.code, 1);
      assert.match((JSON.parse(unknown.stdout) as { error: { message: string } }).error.message, /no online server named/);

      const ok = await run(['call', '--broker', broker.url, '--server', name, '--tool', 'add', '--args', '{"a":2,"b":2}', '--json']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(ok.stdout) as { content: { text: string }[] }).content[0]?.text, '4');
    });

    it('bridge: the SDK Client over stdio gets the good lists, a ping timeout of the bridge\'s own, and working calls', async () => {
      const name = await device('bridge', { lists: { templatesUnanswered: true, promptsUnimplemented: true, resourcesAsContents: true, noPing: true } });
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [cli, 'bridge', '--broker', broker.url, '--server', name, '--ping-timeout', '300', '--list-timeout', '1500'],
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const agent = new Client({ name: 'stdio-agent', version: '1.0.0' });
      try {
        await agent.connect(transport);
        assert.deepEqual((await agent.listTools()).tools.map((t) => t.name), RAW_TOOL_NAMES);
        assert.deepEqual((await agent.listResources()).resources, []);
        assert.deepEqual((await agent.listResourceTemplates()).resourceTemplates, []);
        assert.deepEqual((await agent.listPrompts()).prompts, []);
        await assert.rejects(agent.ping(), (e: unknown) => e instanceof McpError && /did not answer ping within 0\.3 s/.test(e.message));
        const result = await agent.callTool({ name: 'add', arguments: { a: 6, b: 7 } });
        assert.equal((result.content as { text: string }[])[0]?.text, '13');
      } finally {
        await agent.close();
      }
      assert.equal(stderr.includes('{"jsonrpc"'), false, 'no JSON-RPC on stderr');
    });
  });
}
