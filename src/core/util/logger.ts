// A logging interface the core writes to, so the extension (LogOutputChannel) and the CLI (stderr) can each
// supply their own without the core knowing about either. `error` takes the failure itself, so the sink can
// keep its stack and cause chain instead of only the message.
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

const noop = (): void => {};
export const nullLogger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The message, then the failure's stack and each `cause` below it (bounded: causes may form a loop). */
export function describeError(message: string, error?: unknown): string {
  if (error === undefined) return message;
  const lines = [`${message}: ${errorMessage(error)}`];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (depth > 0) lines.push(`caused by: ${errorMessage(current)}`);
    if (current instanceof Error && current.stack) lines.push(...current.stack.split('\n').slice(1));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}
