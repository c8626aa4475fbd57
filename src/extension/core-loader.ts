// Loads the heavy core (see core-api.ts) the first time a feature needs it. Bundled, it is
// dist/extension-core.js next to dist/extension.js; run from sources (unit tests under tsx) it is
// core-api.ts itself. The path is computed so that esbuild leaves the require alone instead of inlining it.
import type * as CoreApi from './core-api.js';

export type Core = typeof CoreApi;

let core: Core | undefined;

export function loadCore(): Core {
  const path = __filename.endsWith('.ts') ? './core-api.js' : './extension-core.js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  core ??= require(path) as Core;
  return core;
}
