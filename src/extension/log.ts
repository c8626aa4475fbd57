// The "MQTT MCP" log channel behind the core's Logger interface. Users pick the level with
// "Developer: Set Log Level"; protocol traces go to trace. Errors keep their stack and cause chain.
// Secrets are never passed to the logger.
import type * as vscode from 'vscode';
import { describeError, type Logger } from '../core/util/logger.js';

export function createLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, e) => channel.error(describeError(m, e)),
  };
}
