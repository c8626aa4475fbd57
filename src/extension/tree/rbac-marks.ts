// Marks a tool or resource row the user's RBAC role does not allow (the broker's CONNACK MCP-RBAC and the
// server's declared roles): a lock icon, "not allowed: <reason>" as its description and in its tooltip.
// The row stays, so the user sees what exists and why it cannot be used. Kept apart from the node classes.
import * as vscode from 'vscode';
import type { Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import { notAllowedMessage, serverAccess, type AccessSource } from '../../core/rbac/client-access.js';

export function markNotAllowed(item: vscode.TreeItem, client: AccessSource | undefined, serverName: string, kind: string, entry: object): void {
  if (kind !== 'tools' && kind !== 'resources') return;
  const access = serverAccess(client, serverName);
  if (!access.restricted) return;
  const verdict = kind === 'tools' ? access.tool((entry as Tool).name) : access.resource((entry as Resource).uri);
  if (verdict.allowed) return;
  const text = notAllowedMessage(verdict);
  item.description = text;
  item.iconPath = new vscode.ThemeIcon('lock', new vscode.ThemeColor('disabledForeground'));
  if (item.tooltip instanceof vscode.MarkdownString) item.tooltip.appendText(`\n\n${text}`);
  else item.tooltip = `${typeof item.tooltip === 'string' ? `${item.tooltip}\n\n` : ''}${text}`;
}
