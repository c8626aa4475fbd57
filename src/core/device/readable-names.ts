// What an expression in a model may read where it appears: the names both model checks (semantic-check.ts
// and binding-check.ts) pass around, kept below both so neither imports the other for it.
export interface ReadableNames {
  attributes: Set<string>;
  /** Argument names a function or prompt declares; undefined where there are no arguments at all. */
  args?: Set<string>;
  progress?: boolean;
  /** A received MQTT message is in scope (payload, topic): proxy confirmations and events with a source. */
  received?: boolean;
  /** The user's answer to the function's `elicit` (after it), and the model's to its `sample`. */
  elicited?: boolean;
  sampled?: boolean;
}
