// How results look on a terminal: text as text, other content types as short descriptions.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError, errorMessage, type Logger } from '../core/util/logger.js';

export function stderrLogger(): Logger {
  const verbose = process.env.MQTT_MCP_DEBUG === '1';
  const out = (level: string) => (m: string): void => void process.stderr.write(`mqtt-mcp: ${level}: ${m}\n`);
  const quiet = (): void => {};
  // Stacks only when debugging: a terminal user wants the sentence, not the trace.
  const error = (m: string, e?: unknown): void => out('error')(e === undefined ? m : verbose ? describeError(m, e) : `${m}: ${errorMessage(e)}`);
  return { trace: quiet, debug: verbose ? out('debug') : quiet, info: verbose ? out('info') : quiet, warn: verbose ? out('warn') : quiet, error };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
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
      default:
        parts.push(JSON.stringify(c));
    }
  }
  if (result.structuredContent !== undefined && parts.length === 0) parts.push(JSON.stringify(result.structuredContent, null, 2));
  return parts.join('\n');
}
