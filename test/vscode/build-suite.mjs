// Bundles the extension-host test suite (test/vscode/suite/*.ts) into the git-ignored out/vscode-suite/.
// `vscode` comes from the extension host; mocha stays external and resolves from node_modules at run time.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const suiteDir = join(root, 'test/vscode/suite');
export const suiteOutDir = join(root, 'out/vscode-suite');
export const extensionTestsPath = join(suiteOutDir, 'index.js');

export async function buildExtensionTestSuite() {
  rmSync(suiteOutDir, { recursive: true, force: true }); // no stale bundles of deleted test files
  const entryPoints = readdirSync(suiteDir).filter((name) => name.endsWith('.ts')).map((name) => join(suiteDir, name));
  await esbuild.build({
    entryPoints,
    outdir: suiteOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline', // stack traces of failures point at the .ts lines
    logLevel: 'warning',
    absWorkingDir: root,
  });
  return extensionTestsPath;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildExtensionTestSuite()}`);
}
