// What the extension-host test files share: the extension under test, its demo broker's id, and a wait on
// state with a reason (tests never sleep a fixed time: the machine may be loaded).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../../src/extension/extension.js';

export const EXTENSION_ID = 'mqtt-mcp-devkit.mqtt-mcp-devkit';
/** The broker test/vscode/fixtures.mjs configures in the test workspace. */
export const BROKER_ID = 'e2e-demo';

export async function api(): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(extension);
  return extension.activate();
}

/** Polls `probe` until it gives something other than undefined/false; the error names `what`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
