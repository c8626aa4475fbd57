// `mqtt-mcp scaffold`: a device server project (TypeScript or C) from a device model. Regenerating into the
// same folder rewrites the generated transport and glue and keeps the stubs the developer has edited.
import { resolve } from 'node:path';
import { DeviceModelError, loadDeviceModel } from '../../core/device/index.js';
import { scaffold as generate, SCAFFOLD_LANGUAGES, type ScaffoldLanguage } from '../../core/scaffold/index.js';
import { CommandError, parse, UsageError } from '../args.js';
import { printJson } from '../output.js';

export const scaffoldHelp = `mqtt-mcp scaffold MODEL --lang ts|c --out DIR [--json]
  Generates a device server that follows the MCP-over-MQTT spec from a device model (JSON or YAML):
  one handler stub per function (arguments parsed from its JSON Schema), a resource per attribute,
  events as logging notifications, prompts, and the transport (retained presence, empty retained will,
  session expiry 0, user properties, subscribe before replying, No Local, TCP_NODELAY).
  --lang ts   an npm project on mqtt and @modelcontextprotocol/sdk (npm install && npm start)
  --lang c    a CMake project on Eclipse Paho MQTT C (MQTT 5) and cJSON
  --out DIR   where to write; run again after changing the model: generated files are rewritten,
              stubs (your code: handlers, hardware, README, build files you own) are kept`;

export async function scaffold(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { lang: { type: 'string', short: 'l' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one device model file, e.g. mqtt-mcp scaffold examples/devices/smart-light.device.json --lang ts --out light');
  const language = values.lang as string | undefined;
  if (!language || !SCAFFOLD_LANGUAGES.includes(language as ScaffoldLanguage)) throw new UsageError(`--lang must be one of ${SCAFFOLD_LANGUAGES.join(', ')}`);
  if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out DIR is required');
  const modelFile = positionals[0]!;
  const model = await loadDeviceModel({ path: modelFile }).catch((e: unknown) => {
    throw new CommandError(e instanceof DeviceModelError ? e.message : `${modelFile}: ${(e as Error).message}`);
  });
  const outDir = resolve(values.out);
  const outcome = await generate(model, language as ScaffoldLanguage, outDir, modelFile).catch((e: unknown) => {
    throw new CommandError(`writing ${outDir}: ${(e as Error).message}`);
  });
  if (values.json) {
    printJson({ out: outDir, language, ...outcome });
    return 0;
  }
  const lines = [`${language === 'ts' ? 'TypeScript' : 'C'} device server for ${model.serverName} in ${outDir}`];
  for (const path of outcome.written) lines.push(`  wrote    ${path}`);
  for (const path of outcome.created) lines.push(`  created  ${path}  (yours: kept on regeneration)`);
  for (const path of outcome.unchanged) lines.push(`  same     ${path}`);
  for (const path of outcome.kept) lines.push(`  kept     ${path}  (exists: not overwritten)`);
  lines.push('', language === 'ts'
    ? `next: cd ${values.out} && npm install && npm start -- --broker mqtt://localhost:1883`
    : `next: cmake -S ${values.out} -B ${values.out}/build && cmake --build ${values.out}/build && ${values.out}/build/mcp-device --broker tcp://localhost:1883`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
