// Copies the targets of local $refs into place before ajv compiles a schema. ajv reports errors inside a
// referenced schema at the definition's path ("#/$defs/rgb/..."), which says nothing about which oneOf
// branch they came from; inlined, every error's schemaPath runs through its branch.
import { isRecord, resolveLocalRef } from './schema.js';

// Past this many copied nodes a schema is left as it is (shared definitions can multiply when inlined).
const MAX_COPIED_NODES = 20_000;

/** The schema with non-recursive local refs replaced by their targets, or the schema itself when unsafe. */
export function inlineLocalRefs(schema: unknown): unknown {
  if (!isRecord(schema)) return schema;
  // $id and anchors change what a ref means; not worth resolving for the sake of nicer messages.
  if (/"\$(id|anchor|dynamicRef|dynamicAnchor|recursiveRef)"/.test(JSON.stringify(schema).slice(1))) return schema;
  const budget = { nodes: 0 };
  try {
    return copy(schema, schema, [], budget);
  } catch {
    return schema; // over budget
  }
}

function copy(node: unknown, root: unknown, refsInUse: readonly string[], budget: { nodes: number }): unknown {
  if (++budget.nodes > MAX_COPIED_NODES) throw new Error('schema too large to inline');
  if (Array.isArray(node)) return node.map((n) => copy(n, root, refsInUse, budget));
  if (!isRecord(node)) return node;
  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#') && !refsInUse.includes(ref)) {
    const target = resolveLocalRef(root, ref);
    if (target !== undefined) {
      const inlined = copy(target, root, [...refsInUse, ref], budget);
      const { $ref: _ref, ...siblings } = node;
      if (Object.keys(siblings).length === 0) return inlined;
      const rest = copy(siblings, root, refsInUse, budget) as Record<string, unknown>;
      const allOf = Array.isArray(rest.allOf) ? rest.allOf : [];
      return { ...rest, allOf: [inlined, ...allOf] };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Literal values are data, not schemas: a "$ref" key inside them must stay as it is.
    out[key] = key === 'const' || key === 'enum' || key === 'default' || key === 'examples' ? value : copy(value, root, refsInUse, budget);
  }
  return out;
}
