// Extension-tests entry (`extensionTestsPath`): VS Code loads this module in the extension host and calls
// run(). The same bundle serves code-server (test/vscode/run.mjs) and desktop VS Code (test/vscode/electron.mjs).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// One console line per result: the extension host forwards console output to the test runner (stdout of the
// extension host is not forwarded in code-server), and run.mjs counts the final RESULT line.
class ConsoleReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.on('pass', (test) => {
      console.log(`[extension-tests] ok   ${test.fullTitle()} (${test.duration ?? 0} ms)`);
    });
    runner.on('fail', (test, err: Error) => {
      console.log(`[extension-tests] FAIL ${test.fullTitle()}\n${err.stack ?? err.message}`);
    });
    runner.once('end', () => {
      console.log(`[extension-tests] RESULT ${JSON.stringify({ passed: this.stats.passes, failed: this.stats.failures })}`);
    });
  }
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 60_000,
    color: false,
    reporter: ConsoleReporter,
    grep: process.env.VSCODE_E2E_GREP || undefined,
  });
  const files = readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort();
  for (const name of files) mocha.addFile(join(__dirname, name));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
