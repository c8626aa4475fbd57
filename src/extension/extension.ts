import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.window.createOutputChannel('MQTT MCP', { log: true }));
}

export function deactivate(): void {}
