// Validation against the MCP SDK's own result schemas, reduced to one readable line.

interface SafeParser {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** Undefined when `value` matches `schema`, else the first few problems as "path: message". */
export function schemaProblems(schema: SafeParser, value: unknown): string | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(result)'}: ${i.message}`);
  const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : '';
  return issues.join('; ') + more;
}
