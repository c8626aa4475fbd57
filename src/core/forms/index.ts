// Form model for MCP tool input schemas: the invoker webview renders it, the palette walks it.
// The webview may import `./types.js` (and `./values.js`, which is pure); `validate`/`coerce` need ajv,
// which only runs in the extension host and the CLI.
export * from './types.js';
export { buildFormModel, isFlatSchema } from './build.js';
export { defaultArguments, initialValue } from './defaults.js';
export { coerceInput, type CoerceResult } from './coerce.js';
export { summarizeSchema } from './summary.js';
export { createValidator, type Validator } from './validate.js';
export { readValue, writeValue, toRawJson, parseRawJson, matchVariant } from './values.js';
