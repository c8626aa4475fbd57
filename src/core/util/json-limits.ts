// Bounds for JSON that comes from devices. JSON.parse copes with deep nesting, but everything after it that
// recurses (JSON.stringify, schema validation, renderers) overflows the stack somewhere past a few thousand
// levels, and then fails far from the message that caused it. Checking depth once, iteratively, right after
// parsing turns that into a clear per-message error.

/** Deepest nesting of objects/arrays accepted from a device. MCP results and schemas stay far below it. */
export const MAX_JSON_DEPTH = 128;

/** True when `value` nests objects/arrays deeper than `limit` levels. Iterative: safe on any depth. */
export function exceedsJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

/** JSON.stringify that reports what went wrong instead of throwing RangeError/TypeError from deep inside. */
export function tryStringify(value: unknown, indent?: number): { ok: true; text: string } | { ok: false; reason: string } {
  if (exceedsJsonDepth(value)) return { ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, text: JSON.stringify(value, null, indent) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
