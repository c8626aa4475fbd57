// Credentials against a Mosquitto that requires them: a wrong password or a missing one gives one clear
// sentence (from the client and from the CLI), never a hang or a stack trace; the right one connects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpMqttClient } from '../../src/core/client/mcp-client.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const PASSWD = '/usr/bin/mosquitto_passwd';
const root = join(__dirname, '..', '..');
const available = existsSync(MOSQUITTO) && existsSync(PASSWD);
if (!available && process.env.CI === 'true') throw new Error('mosquitto and mosquitto_passwd are required in CI (apt-get install mosquitto)');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not start on port ${port}`);
}

describe('broker credentials (Mosquitto with a password file)', { skip: !available && 'mosquitto is not installed' }, () => {
  let dir: string;
  let url: string;
  let mosquitto: ChildProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-auth-'));
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, '');
    execFileSync(PASSWD, ['-b', passwords, 'alice', 'right-password']);
    // Mosquitto started as root drops to its own user, which must still read the test's files.
    chmodSync(dir, 0o755);
    chmodSync(passwords, 0o644);
    const port = await freePort();
    writeFileSync(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\npersistence false\nset_tcp_nodelay true\n`);
    mosquitto = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    url = `mqtt://127.0.0.1:${port}`;
    await waitForPort(port);
  });
  after(() => {
    mosquitto?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('a wrong password is refused with a sentence that says so', async () => {
    const client = new McpMqttClient({ broker: { url, username: 'alice', password: 'wrong' }, reconnect: false });
    await assert.rejects(client.connect(), /refused the credentials|not authorized/);
    assert.equal(client.state, 'failed');
    assert.match(client.connection.failureReason ?? '', /refused the credentials|not authorized/);
  });

  test('a reconnecting client stops retrying after a refusal and reports failed, not reconnecting', async () => {
    const client = new McpMqttClient({ broker: { url, username: 'alice', password: 'wrong' }, reconnect: { initialDelayMs: 50, maxDelayMs: 100 } });
    await assert.rejects(client.connect());
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(client.state, 'failed');
    await client.close();
  });

  test('the right password connects', async () => {
    const client = new McpMqttClient({ broker: { url, username: 'alice', password: 'right-password' }, reconnect: false });
    await client.connect();
    assert.equal(client.state, 'connected');
    await client.close();
  });

  test('the CLI prints one line and exits 1; the password comes from MQTT_PASSWORD', () => {
    const cli = join(root, 'dist', 'cli.js');
    if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    const wrong = spawnSync(process.execPath, [cli, 'discover', '--broker', url, '-u', 'alice'], { env: { ...process.env, MQTT_PASSWORD: 'wrong' }, encoding: 'utf8' });
    assert.equal(wrong.status, 1);
    assert.equal(wrong.stderr.trim().split('\n').length, 1, wrong.stderr);
    assert.match(wrong.stderr, /mqtt-mcp discover: .*(refused the credentials|not authorized)/);
    const right = spawnSync(process.execPath, [cli, 'discover', '--broker', url, '-u', 'alice', '--json'], { env: { ...process.env, MQTT_PASSWORD: 'right-password' }, encoding: 'utf8' });
    assert.equal(right.status, 0, right.stderr);
    assert.deepEqual(JSON.parse(right.stdout), []);
  });
});
