// The timeline's commands: show, clear, export to JSONL, import JSONL for offline reading.
import * as vscode from 'vscode';
import { fromJsonl, toJsonl } from '../../../core/events/event-log.js';
import type { EventLog } from '../../../core/events/event-log.js';
import type { CommandHandlers } from '../../commands/register.js';
import { TIMELINE_VIEW_ID, type TimelineViewProvider } from './provider.js';

/** Rejected lines listed in the import message; the rest are counted. */
const SHOWN_REJECTIONS = 3;

export function timelineCommands(events: EventLog, provider: TimelineViewProvider): CommandHandlers {
  const show = (): Thenable<unknown> => vscode.commands.executeCommand(`${TIMELINE_VIEW_ID}.focus`);
  const clear = async (): Promise<void> => provider.clear();
  const exportLog = async (): Promise<void> => {
    const snapshot = events.snapshot();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const target = await vscode.window.showSaveDialog({
      title: `Export ${snapshot.length} events as JSONL`,
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd()), `mqtt-mcp-events-${stamp}.jsonl`),
      filters: { 'JSON Lines': ['jsonl'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(toJsonl(snapshot)));
    const dropped = events.evicted ? ` (${events.evicted} older events had been dropped before, limit ${events.capacity})` : '';
    void vscode.window.showInformationMessage(`Exported ${snapshot.length} events to ${vscode.workspace.asRelativePath(target)}${dropped}.`);
  };
  const importLog = async (): Promise<void> => {
    const [file] = (await vscode.window.showOpenDialog({ title: 'Import an event timeline (JSONL)', canSelectMany: false, filters: { 'JSON Lines': ['jsonl', 'json', 'txt'] } })) ?? [];
    if (!file) return;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    const { events: imported, rejected } = fromJsonl(text);
    const fileName = file.path.split('/').pop() ?? file.path;
    if (imported.length === 0) throw new Error(`${fileName} holds no timeline events${rejected.length ? ` (${rejected.length} lines rejected, first: line ${rejected[0]?.line}: ${rejected[0]?.reason})` : ''}`);
    provider.showImported({ fileName, events: imported, rejected: rejected.length });
    await show();
    if (rejected.length) {
      const listed = rejected.slice(0, SHOWN_REJECTIONS).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
      const more = rejected.length > SHOWN_REJECTIONS ? `; and ${rejected.length - SHOWN_REJECTIONS} more` : '';
      void vscode.window.showWarningMessage(`Imported ${imported.length} events from ${fileName}; ${rejected.length} lines rejected: ${listed}${more}.`);
    } else {
      void vscode.window.showInformationMessage(`Imported ${imported.length} events from ${fileName} (shown instead of the live timeline).`);
    }
  };
  // The webview's buttons run the same commands, so they fail the same way.
  provider.onAction = (action) => void vscode.commands.executeCommand(action === 'clear' ? 'mqttMcp.clearTimeline' : action === 'export' ? 'mqttMcp.exportTimeline' : 'mqttMcp.importTimeline');
  return {
    'mqttMcp.showTimeline': show,
    'mqttMcp.clearTimeline': clear,
    'mqttMcp.exportTimeline': exportLog,
    'mqttMcp.importTimeline': importLog,
  };
}
