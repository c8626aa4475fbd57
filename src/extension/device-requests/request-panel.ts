// One "Device request" panel: shows what a device asks (an elicitation form, or a sampling prompt to
// approve) and resolves with the user's answer. Closing the panel, the device cancelling its request and the
// session ending all count as "cancel". An accepted form is validated here again, and stays open with the
// issues shown until it is valid.
import * as vscode from 'vscode';
import type { Logger } from '../../core/util/logger.js';
import type { ValidationIssue } from '../../core/forms/types.js';
import type { DeviceRequestFromWebview, DeviceRequestToWebview, DeviceRequestView, RequestOrigin } from '../../../webview/device-request/protocol.js';
import { checkDeviceRequestMessage } from '../webviews/message-guards.js';
import { renderPage, webviewOptions } from '../webviews/webview-html.js';
import { WebviewHost } from '../webviews/webview-host.js';

export const DEVICE_REQUEST_VIEW_TYPE = 'mqttMcp.deviceRequest';

export type PanelAnswer = { action: 'accept'; values: Record<string, unknown> } | { action: 'decline' } | { action: 'cancel' };

export interface PanelRequest {
  origin: RequestOrigin;
  view: DeviceRequestView;
  /** Issues of accepted values (empty: valid); only forms have any. */
  validate?: (values: Record<string, unknown>) => ValidationIssue[];
  signal: AbortSignal;
}

export function askInPanel(deps: { extensionUri: vscode.Uri; log: Logger }, request: PanelRequest): Promise<PanelAnswer> {
  return new Promise<PanelAnswer>((resolve) => {
    const title = `Device request · ${request.origin.serverName}`;
    // Beside: the call that is waiting (an invoker, say) stays in view next to the question.
    const panel = vscode.window.createWebviewPanel(DEVICE_REQUEST_VIEW_TYPE, title, vscode.ViewColumn.Beside, webviewOptions(deps.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'mqtt-mcp.svg');
    let settled = false;
    const finish = (answer: PanelAnswer): void => {
      if (settled) return;
      settled = true;
      request.signal.removeEventListener('abort', onAbort);
      resolve(answer);
      host.dispose();
      panel.dispose();
    };
    const onAbort = (): void => finish({ action: 'cancel' });
    const host: WebviewHost<DeviceRequestFromWebview, DeviceRequestToWebview> = new WebviewHost<DeviceRequestFromWebview, DeviceRequestToWebview>({
      label: 'device request',
      webview: panel.webview,
      check: checkDeviceRequestMessage,
      // 'restore': a reloaded page gets the request again.
      beforeReady: 'restore',
      onReady: (): void => host.post({ type: 'show', origin: request.origin, view: request.view }),
      handle: (message) => {
        if (message.type !== 'accept') return finish({ action: message.type });
        const issues = request.validate?.(message.values) ?? [];
        if (issues.length > 0) return { type: 'validation', issues };
        finish({ action: 'accept', values: message.values });
      },
      log: deps.log,
    });
    panel.onDidDispose(() => finish({ action: 'cancel' }));
    if (request.signal.aborted) return finish({ action: 'cancel' });
    request.signal.addEventListener('abort', onAbort, { once: true });
    panel.webview.html = renderPage(panel.webview, deps.extensionUri, { title, script: 'device-request', style: 'invoker' });
  });
}
