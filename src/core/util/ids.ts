import { randomBytes } from 'node:crypto';

/** A random id that is safe as a single topic level (no `/`, `+`, `#`). */
export function randomId(prefix = ''): string {
  return prefix + randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
}
