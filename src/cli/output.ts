// How results look on a terminal: text as text, other content types as short descriptions.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError, errorMessage, type Logger } from '../core/util/logger.js';
import { tryStringify } from '../core/util/json-limits.js';
import { CommandError } from './args.js';

export { terminalSafe, terminalSafeLine } from '../core/util/terminal-text.js';

export function stderrLogger(): Logger {
  const verbose = process.env.MQTT_MCP_DEBUG === '1';
  const out = (level: string) => (m: string): void => void process.stderr.write(`mqtt-mcp: ${level}: ${m}\n`);
  const quiet = (): void => {};
  // Stacks only when debugging: a terminal user wants the sentence, not the trace.
  const error = (m: string, e?: unknown): void => out('error')(e === undefined ? m : verbose ? describeError(m, e) : `${m}: ${errorMessage(e)}`);
  return { trace: quiet, debug: verbose ? out('debug') : quiet, info: verbose ? out('info') : quiet, warn: verbose ? out('warn') : quiet, error };
}

/** `--json`: exact JSON of what the device sent; a value that cannot be written fails the command (exit 1). */
export function printJson(value: unknown): void {
  const json = tryStringify(value, 2);
  if (!json.ok) throw new CommandError(`cannot print the result as JSON: ${json.reason}`);
  process.stdout.write(json.text + '\n');
}

export function formatContent(result: CallToolResult): string {
  const parts: string[] = [];
  for (const c of result.content ?? []) {
    switch (c.type) {
      case 'text':
        parts.push(c.text);
        break;
      case 'image':
      case 'audio':
        parts.push(`[${c.type} ${c.mimeType}, ${Math.floor((c.data.length * 3) / 4)} bytes]`);
        break;
      case 'resource_link':
        parts.push(`[resource link ${c.uri}${c.name ? ` (${c.name})` : ''}]`);
        break;
      case 'resource': {
        const r = c.resource;
        parts.push('text' in r && typeof r.text === 'string' ? r.text : `[resource ${r.uri}${r.mimeType ? ` ${r.mimeType}` : ''}]`);
        break;
      }
      default: {
        const json = tryStringify(c);
        parts.push(json.ok ? json.text : `[content that cannot be shown: ${json.reason}]`);
      }
    }
  }
  if (result.structuredContent !== undefined && parts.length === 0) {
    const json = tryStringify(result.structuredContent, 2);
    parts.push(json.ok ? json.text : `[structured content that cannot be shown: ${json.reason}]`);
  }
  return parts.join('\n');
}
