// `npm start`: the demo broker with every example device, and VS Code running this extension pointed at it.
// Desktop VS Code (`code` on PATH) when there is one; otherwise the local code-server of the real-VS-Code
// test harness, at a printed http://127.0.0.1 address. Ctrl+C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function startDemo() {
  const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'demo', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, ...JSON.parse(line) });
    });
    child.once('exit', (code) => reject(new Error(`mqtt-mcp demo exited with ${code}`)));
  });
}

const demo = await startDemo();
console.log(`demo broker: ${demo.url}`);
for (const d of demo.devices) console.log(`  ${d.name}`);
const settings = { 'mqttMcp.brokers': [{ id: 'demo', name: 'Demo broker', url: demo.url, autoConnect: true }] };
const stops = [() => demo.child.kill('SIGTERM')];
const stopAll = () => {
  for (const stop of stops.reverse()) stop();
  process.exit(0);
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-start-'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const code = spawn('code', ['--user-data-dir', userDataDir, '--extensionDevelopmentPath', root, '--new-window', '--wait'], { stdio: 'inherit' });
  stops.push(() => code.kill('SIGTERM'));
  console.log('opened VS Code with the extension; close its window or press Ctrl+C to stop');
  code.once('exit', stopAll);
} else {
  const { cachedSetup, ensureVsCodeSetup } = await import('./vscode-setup.mjs');
  if (!cachedSetup()) {
    console.log('no `code` on PATH: setting up the local code-server (once, about 3 minutes)...');
    await ensureVsCodeSetup();
  }
  const { startCodeServer, workbenchUrl } = await import('../test/vscode/harness.mjs');
  const server = await startCodeServer({ settings: { 'security.workspace.trust.enabled': false, ...settings } });
  stops.push(() => void server.stop());
  console.log(`\nVS Code (code-server) with the extension: ${workbenchUrl(server, { extensionDevelopmentPath: root })}`);
  console.log('open that address in a browser; Ctrl+C stops everything');
}
