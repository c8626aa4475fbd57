/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'mqtt-mcp-devkit.mqtt-mcp-devkit';

suite('extension', () => {
  test('is installed as the development extension and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded; loaded: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('this VS Code offers the MCP server definition provider API', () => {
    assert.equal(typeof vscode.lm.registerMcpServerDefinitionProvider, 'function');
  });
});
