// Read-only virtual documents for resources, prompts and palette tool results. Resource documents are read
// from the device each time they open, with a language picked from the MIME type.
import * as vscode from 'vscode';
import type { CallToolResult, GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { withCallSource } from '../core/util/call-source.js';
import type { BrokerManager } from './brokers/manager.js';

export const RESOURCE_SCHEME = 'mqtt-mcp-resource';
export const RESULT_SCHEME = 'mqtt-mcp-result';

const LANGUAGES: Record<string, string> = {
  'application/json': 'json',
  'text/markdown': 'markdown',
  'text/html': 'html',
  'text/csv': 'csv',
  'application/yaml': 'yaml',
  'text/yaml': 'yaml',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly results = new Map<string, string>();
  private counter = 0;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly brokers: BrokerManager) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, this),
      vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.scheme === RESULT_SCHEME) return this.results.get(uri.path) ?? '(this result is no longer available)';
    const params = new URLSearchParams(uri.query);
    const brokerId = params.get('broker') ?? '';
    const server = params.get('server') ?? '';
    const resource = params.get('uri') ?? '';
    const client = this.brokers.get(brokerId)?.client;
    if (!client) return `(broker ${brokerId} is not connected)`;
    const result = await withCallSource('palette', async () => (await client.session(server)).readResource(resource));
    return result.contents
      .map((c) => ('text' in c && typeof c.text === 'string' ? c.text : `[binary ${c.mimeType ?? 'content'}, ${Math.floor(((c as { blob: string }).blob.length * 3) / 4)} bytes]`))
      .join('\n');
  }

  async showResource(brokerId: string, serverName: string, resourceUri: string): Promise<void> {
    const query = new URLSearchParams({ broker: brokerId, server: serverName, uri: resourceUri }).toString();
    const name = resourceUri.replace(/^[a-z]+:\/\//i, '').replace(/[^\w.-]+/g, '_').slice(-80) || 'resource';
    const uri = vscode.Uri.from({ scheme: RESOURCE_SCHEME, path: `/${name}`, query });
    const client = this.brokers.get(brokerId)?.client;
    const catalog = await this.brokers.get(brokerId)?.catalogs?.peek(serverName);
    const mime = catalog?.resources.find((r) => r.uri === resourceUri)?.mimeType;
    let doc = await vscode.workspace.openTextDocument(uri);
    const language = mime ? LANGUAGES[mime.split(';')[0]?.trim() ?? ''] : doc.getText().trimStart().startsWith('{') ? 'json' : undefined;
    if (language && client) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private async showText(title: string, text: string, language: string): Promise<void> {
    const path = `/${++this.counter}-${title.replace(/[^\w.-]+/g, '_').slice(0, 60)}`;
    this.results.set(path, text);
    // Keep the most recent results only: each may hold a device's whole answer.
    if (this.results.size > 50) this.results.delete(this.results.keys().next().value as string);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: RESULT_SCHEME, path }));
    await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  async showToolResult(serverName: string, tool: string, args: Record<string, unknown>, result: CallToolResult, durationMs: number): Promise<void> {
    const lines = [
      `# ${tool} on ${serverName}`,
      '',
      `${result.isError ? '**Error result**' : 'Result'} in ${durationMs} ms. Arguments: \`${JSON.stringify(args)}\``,
      '',
    ];
    for (const c of result.content ?? []) {
      if (c.type === 'text') lines.push(fence(c.text, looksJson(c.text) ? 'json' : ''));
      else if (c.type === 'image' || c.type === 'audio') lines.push(`*${c.type}* ${c.mimeType}, ${Math.floor((c.data.length * 3) / 4)} bytes (open the Tool Invoker to view it)`);
      else if (c.type === 'resource_link') lines.push(`Resource link: \`${c.uri}\`${c.name ? ` (${c.name})` : ''}`);
      else if (c.type === 'resource') lines.push(fence('text' in c.resource ? String(c.resource.text) : `[binary ${c.resource.mimeType ?? ''}]`, ''));
      lines.push('');
    }
    if (result.structuredContent !== undefined) lines.push('Structured content:', '', fence(JSON.stringify(result.structuredContent, null, 2), 'json'));
    await this.showText(`${tool}-result.md`, lines.join('\n'), 'markdown');
  }

  async showPrompt(serverName: string, prompt: string, result: GetPromptResult): Promise<void> {
    const lines = [`# Prompt ${prompt} from ${serverName}`, ''];
    if (result.description) lines.push(result.description, '');
    for (const m of result.messages) {
      lines.push(`## ${m.role}`, '');
      lines.push(m.content.type === 'text' ? m.content.text : `[${m.content.type}]`, '');
    }
    await this.showText(`${prompt}-prompt.md`, lines.join('\n'), 'markdown');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function looksJson(text: string): boolean {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** A code fence that device text cannot break out of. */
function fence(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${looksJson(text) ? JSON.stringify(JSON.parse(text), null, 2) : text}\n${ticks}`;
}
