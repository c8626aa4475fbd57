// `mqtt-mcp scaffold`: a device model in, a device server project out (TypeScript or C). Generated files
// (transport, glue) are rewritten on every run; stubs (the developer's code) are written only when absent.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DeviceModel } from '../device/model.js';
import { cFiles } from './c-project.js';
import { typescriptFiles } from './ts-project.js';
import type { GeneratedFile, ScaffoldLanguage } from './plan.js';

export type { GeneratedFile, ScaffoldLanguage } from './plan.js';
export { TS_DEPENDENCIES, TS_DEV_DEPENDENCIES } from './ts-project.js';

export const SCAFFOLD_LANGUAGES: readonly ScaffoldLanguage[] = ['ts', 'c'];

export function scaffoldFiles(model: DeviceModel, language: ScaffoldLanguage, modelFile?: string): GeneratedFile[] {
  return language === 'ts' ? typescriptFiles(model, modelFile) : cFiles(model, modelFile);
}

export interface ScaffoldOutcome {
  /** Generated files written (new or rewritten). */
  written: string[];
  /** Stubs written because they did not exist yet. */
  created: string[];
  /** Stubs that exist and were left as they are. */
  kept: string[];
  /** Generated files whose content did not change. */
  unchanged: string[];
}

export async function writeScaffold(outDir: string, files: GeneratedFile[]): Promise<ScaffoldOutcome> {
  const outcome: ScaffoldOutcome = { written: [], created: [], kept: [], unchanged: [] };
  for (const file of files) {
    const target = join(outDir, ...file.path.split('/'));
    const existing = await readFile(target, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new Error(`cannot read ${target}: ${e.message}`);
    });
    if (file.kind === 'stub' && existing !== undefined) {
      outcome.kept.push(file.path);
      continue;
    }
    if (existing === file.content) {
      outcome.unchanged.push(file.path);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    (file.kind === 'stub' ? outcome.created : outcome.written).push(file.path);
  }
  return outcome;
}

export async function scaffold(model: DeviceModel, language: ScaffoldLanguage, outDir: string, modelFile?: string): Promise<ScaffoldOutcome> {
  return writeScaffold(outDir, scaffoldFiles(model, language, modelFile));
}
