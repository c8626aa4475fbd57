// Runs the extension-host suite (test/vscode/suite/) in an installed desktop VS Code through
// @vscode/test-electron, for machines that have one. Nothing is downloaded: the executable must be given.
//
//   VSCODE_EXECUTABLE=/usr/share/code/code xvfb-run -a node test/vscode/electron.mjs
//
// Linux needs a display (xvfb-run). Same suite as in code-server; VSCODE_E2E_GREP filters by test title.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtensionTestSuite } from './build-suite.mjs';
import { repoRoot } from './harness.mjs';

const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
if (!vscodeExecutablePath || !existsSync(vscodeExecutablePath)) {
  const problem = vscodeExecutablePath ? `VSCODE_EXECUTABLE=${vscodeExecutablePath} does not exist` : 'VSCODE_EXECUTABLE is not set';
  const ci = /^(1|true)$/i.test(process.env.CI ?? '');
  console.log(`[vscode-electron] ${ci ? 'FAILED' : 'skipped'}: ${problem}; point it at a desktop VS Code binary ` +
    '(e.g. /usr/share/code/code). On Linux run under xvfb-run -a.');
  process.exit(ci ? 1 : 0);
}

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const extensionTestsPath = await buildExtensionTestSuite();

// A throw-away profile, so the user's own settings and extensions neither leak in nor get touched.
const tempDir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-electron-'));
const workspaceDir = join(tempDir, 'workspace');
mkdirSync(workspaceDir);
let exitCode = 1;
try {
  exitCode = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    launchArgs: [
      workspaceDir,
      '--user-data-dir', join(tempDir, 'user-data'),
      '--extensions-dir', join(tempDir, 'extensions'),
      '--disable-extensions', // only the extension under development (built-ins stay enabled)
      '--disable-gpu', // test-electron adds the other quieting flags (--skip-welcome, --disable-updates, ...)
    ],
    extensionTestsEnv: process.env.VSCODE_E2E_GREP ? { VSCODE_E2E_GREP: process.env.VSCODE_E2E_GREP } : undefined,
  });
} catch (err) {
  console.error(`[vscode-electron] FAILED: ${err.message ?? err}`);
} finally {
  rmSync(tempDir, { recursive: true, force: true });
}
process.exit(exitCode === 0 ? 0 : 1);
