// The one way commands are registered: every handler runs inside the same error handling (logged with its
// stack, shown as one sentence), whatever module defines it. A module hands back a table of handlers; the
// composition root registers all tables at once.
import * as vscode from 'vscode';
import { errorMessage, type Logger } from '../../core/util/logger.js';
import { COMMAND_TITLES, type CommandId } from './ids.js';

/** A failure whose message already says what went wrong in the user's words (shown as is, no "X failed:"). */
export class CommandFailure extends Error {}

export type CommandHandler = (...args: unknown[]) => unknown;
export type CommandHandlers = Partial<Record<CommandId, CommandHandler>>;

/** What the user sees when a command throws. */
export function failureText(id: CommandId, e: unknown): string {
  return e instanceof CommandFailure ? e.message : `${COMMAND_TITLES[id]} failed: ${errorMessage(e)}`;
}

export function registerCommand(id: CommandId, handler: CommandHandler, log: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      const text = failureText(id, e);
      log.error(`${id}: ${text}`, e);
      void vscode.window.showErrorMessage(`MQTT MCP: ${text}`);
      return undefined;
    }
  });
}

export function registerCommands(handlers: CommandHandlers, log: Logger): vscode.Disposable[] {
  return (Object.entries(handlers) as [CommandId, CommandHandler][]).map(([id, handler]) => registerCommand(id, handler, log));
}
