// What every webview page of the extension shares: options limited to the bundled assets, a strict content
// security policy with a fresh nonce per render, the codicon stylesheet (with the id vscode-elements' icon
// component looks for), and one nonce'd script. No inline script, no eval, images and audio only as data: URLs.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false, // device text never becomes a clickable command
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function createNonce(): string {
  return randomBytes(24).toString('base64url'); // 32 characters
}

export interface PageOptions {
  title: string;
  /** Bundle name under dist/webview (webview/<name>/main.ts). */
  script: string;
  /** Stylesheet name under media/. */
  style: string;
  /** The script bundle imports CSS of its own (a library's stylesheet): esbuild writes dist/webview/<script>.css. */
  bundleStyle?: boolean;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    // Lit components set style attributes; scripts stay nonce-only.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    'media-src data:',
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderPage(webview: vscode.Webview, extensionUri: vscode.Uri, page: PageOptions): string {
  const nonce = createNonce();
  const asset = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist', 'webview', 'codicon.css')}" id="vscode-codicon-stylesheet" nonce="${nonce}">
${page.bundleStyle ? `<link rel="stylesheet" href="${asset('dist', 'webview', `${page.script}.css`)}" nonce="${nonce}">\n` : ''}<link rel="stylesheet" href="${asset('media', `${page.style}.css`)}" nonce="${nonce}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('dist', 'webview', `${page.script}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
