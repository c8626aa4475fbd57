// Loads dist/extension-core.js (see core-api.ts) the first time a feature needs it. The require path is
// external to the extension bundle and resolves next to it in dist/.
import type * as CoreApi from './core-api.js';

export type Core = typeof CoreApi;

let core: Core | undefined;

export function loadCore(): Core {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  core ??= require('./extension-core.js') as Core;
  return core;
}
