// A logging interface the core writes to, so the extension (LogOutputChannel) and the CLI (stderr) can each
// supply their own without the core knowing about either.
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const noop = (): void => {};
export const nullLogger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
