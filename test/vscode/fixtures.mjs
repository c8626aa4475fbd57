// Fixtures shared by the whole real-VS-Code phase, started by run.mjs before code-server: the embedded
// broker with every example device (`mqtt-mcp demo`, a separate process like a real broker), configured in
// the user settings as the broker "E2E demo broker".
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

export const E2E_BROKER_ID = 'e2e-demo';
export const E2E_BROKER_NAME = 'E2E demo broker';

/**
 * @param {{ log: (line: string) => void, tempDir: string }} context
 */
export async function startFixtures(context) {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), 'demo', '--port', '0', '--json'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const started = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`mqtt-mcp demo did not start in 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => reject(new Error(`mqtt-mcp demo exited with ${code}: ${stderr}`)));
  });
  context.log(`demo broker ${started.url} with ${started.devices.length} devices`);
  return {
    userSettings: { 'mqttMcp.brokers': [{ id: E2E_BROKER_ID, name: E2E_BROKER_NAME, url: started.url, autoConnect: true }] },
    env: { MQTT_MCP_E2E_BROKER: started.url },
    description: `mqtt-mcp demo on ${started.url}`,
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
