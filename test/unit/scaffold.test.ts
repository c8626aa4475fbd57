// The scaffold generator without compilers or brokers: what it writes and keeps, the pinned dependency
// versions, C string literals, the CLI's input errors, and the editor command's contribution.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeviceModel, parseDeviceModel } from '../../src/core/device/index.js';
import { scaffoldFiles, writeScaffold, TS_DEPENDENCIES, TS_DEV_DEPENDENCIES } from '../../src/core/scaffold/index.js';
import { cString, tsTemplate } from '../../src/core/scaffold/expressions.js';
import { scaffold as scaffoldCommand } from '../../src/cli/commands/scaffold.js';
import { CommandError, UsageError } from '../../src/cli/args.js';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};

const MODEL = `{
  "serverName": "test/widget/{n}",
  "description": "A widget.",
  "attributes": { "level": { "type": "integer", "initial": 1, "min": 0, "max": 9, "writable": true } },
  "functions": [
    { "name": "bump", "description": "Adds one.", "set": { "level": "$level + 1" }, "returns": { "text": "Level {{level}}." } },
    { "name": "say-hi", "description": "Greets.", "parameters": { "type": "object", "properties": { "who": { "type": "string" } }, "required": ["who"] },
      "returns": { "text": "Hi {{args.who}}" } }
  ]
}`;

describe('scaffold generator', () => {
  it('pins the same mqtt and MCP SDK versions this repository builds with', () => {
    for (const [name, version] of Object.entries(TS_DEPENDENCIES)) assert.equal(version, manifest.dependencies[name], name);
    for (const [name, version] of Object.entries(TS_DEV_DEPENDENCIES)) assert.equal(version, manifest.devDependencies[name], name);
  });

  it('writes one handler stub per function in each language, with identifiers legal in the language', () => {
    const model = parseDeviceModel(MODEL, 'json');
    const ts = scaffoldFiles(model, 'ts');
    const c = scaffoldFiles(model, 'c');
    assert.deepEqual(ts.filter((f) => f.path.startsWith('src/handlers/')).map((f) => f.path), ['src/handlers/bump.ts', 'src/handlers/say_hi.ts']);
    assert.deepEqual(c.filter((f) => f.path.startsWith('src/handlers/')).map((f) => f.path), ['src/handlers/bump.c', 'src/handlers/say_hi.c']);
    assert.ok(ts.filter((f) => f.path.startsWith('src/handlers/')).every((f) => f.kind === 'stub'));
    assert.ok(ts.filter((f) => f.path.startsWith('src/generated/')).every((f) => f.kind === 'generated'));
    const cHandlers = c.find((f) => f.path === 'src/handlers.h')!.content;
    assert.match(cHandlers, /typedef struct say_hi_args \{\n {2}const char \* who;/);
    assert.match(cHandlers, /int tool_say_hi\(const say_hi_args \*args, mm_call \*call\);/);
    // The tool keeps its model name on the wire.
    assert.match(c.find((f) => f.path === 'src/device_model.c')!.content, /\\"name\\":\\"say-hi\\"/);
    // The writable attribute gets the simulator's set_attribute tool, in the glue (not a stub).
    assert.match(ts.find((f) => f.path === 'src/generated/model.ts')!.content, /"name":"set_attribute"/);
  });

  it('keeps edited stubs on regeneration and rewrites the generated files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scaffold-unit-'));
    try {
      const model = await loadDeviceModel({ path: join(ROOT, 'examples', 'devices', 'smart-light.device.json') });
      const first = await writeScaffold(dir, scaffoldFiles(model, 'c'));
      assert.equal(first.kept.length, 0);
      assert.ok(first.created.includes('src/handlers/turn_on.c'));
      writeFileSync(join(dir, 'src', 'handlers', 'turn_on.c'), '/* mine */\n');
      writeFileSync(join(dir, 'src', 'mcp_mqtt.c'), '/* stale */\n');
      const second = await writeScaffold(dir, scaffoldFiles(model, 'c'));
      assert.ok(second.kept.includes('src/handlers/turn_on.c'));
      assert.deepEqual(second.written, ['src/mcp_mqtt.c']);
      assert.equal(readFileSync(join(dir, 'src', 'handlers', 'turn_on.c'), 'utf8'), '/* mine */\n');
      assert.match(readFileSync(join(dir, 'src', 'mcp_mqtt.c'), 'utf8'), /MQTTClient_subscribe5/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes C strings as ASCII that reads back as the same UTF-8', () => {
    assert.equal(cString('a"b\\c\n'), '"a\\"b\\\\c\\n"');
    // "°C": the hex escape must not swallow the "C" that follows.
    assert.equal(cString('°C'), '"\\xc2\\xb0""C"');
  });

  it('turns templates into TypeScript template literals without letting the text escape', () => {
    const model = parseDeviceModel(MODEL, 'json');
    assert.equal(tsTemplate('`${x}` {{level}}', { model }), '`\\`\\${x}\\` ${fmt(state.level)}`');
  });
});

describe('mqtt-mcp scaffold (input errors)', () => {
  it('refuses an unknown language and a missing --out', async () => {
    await assert.rejects(scaffoldCommand(['m.device.json', '--lang', 'java', '--out', 'x']), UsageError);
    await assert.rejects(scaffoldCommand(['m.device.json', '--lang', 'ts']), UsageError);
  });

  it('names the model file that cannot be read', async () => {
    await assert.rejects(scaffoldCommand(['/nonexistent/x.device.json', '--lang', 'c', '--out', join(tmpdir(), 'never')]),
      (e: unknown) => e instanceof CommandError && /x\.device\.json/.test(e.message) && /not found/.test(e.message));
  });
});

describe('Scaffold Device Server from Model (editor command)', () => {
  it('is contributed on model files in the editor title and the explorer', () => {
    assert.ok(manifest.contributes.commands.some((c) => c.command === 'mqttMcp.scaffoldDevice'));
    for (const menu of ['editor/title', 'explorer/context']) {
      const entry = manifest.contributes.menus[menu]!.find((m) => m.command === 'mqttMcp.scaffoldDevice');
      assert.ok(entry, menu);
      assert.match('lamp.device.yaml', new RegExp(entry.when!.replace(/^resourceFilename =~ \/(.*)\/$/, '$1')));
    }
  });
});
