/// <reference types="mocha" />
// In the real extension host: "Check a Device Connecting Here" starts its own broker, waits for a device that
// connects to it, and reports, in the conformance panel, checks only packet mode can make.
import * as assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import * as vscode from 'vscode';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpMqttServerHost } from '../../../src/core/server/host.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function untilAccepting(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('packet mode', () => {
  test('Check a Device Connecting Here judges a device from its own packets', async function () {
    this.timeout(120_000);
    const port = await freePort();
    const running = vscode.commands.executeCommand<{ results: { id: string; verdict: string; observed: string }[] } | undefined>('mqttMcp.checkListening', { port, host: '127.0.0.1' });
    await untilAccepting(port);
    const host = new McpMqttServerHost({
      broker: { url: `mqtt://127.0.0.1:${port}` },
      serverId: `e2e-listen-${Date.now()}`,
      serverName: 'e2e/listen/device',
      description: 'device for packet mode',
      reconnect: false,
      createServer: () => new McpServer({ name: 'e2e-listen', version: '1.0.0' }).server,
    });
    await host.start();
    try {
      const report = await running;
      assert.ok(report, 'the command returns the report');
      const verdict = (id: string): string | undefined => report.results.find((r) => r.id === id)?.verdict;
      assert.deepEqual(report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.id}: ${r.observed}`), []);
      for (const id of ['connection.mqtt5', 'connection.connect-properties', 'connection.client-id', 'traffic.topics']) assert.equal(verdict(id), 'pass', id);
      assert.match(report.results.find((r) => r.id === 'teardown.will')?.observed ?? '', /^from CONNECT: will RETAIN=1/);
    } finally {
      await host.stop().catch(() => undefined);
      // Closing the report panel stops the command's broker.
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
