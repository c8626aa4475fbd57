// Topic strings in a model's proxy bindings: {n}/{id} placeholders (as in serverName), {{ }} templates in
// command topics, and the MQTT rules for topics and filters. Shared by the model check and the proxy.

/** {n} and {id}, but not the inside of a {{ }} template such as "{{n}}". */
const PLACEHOLDER = /(?<!\{)\{(n|id)\}(?!\})/g;
const ANY_SINGLE_BRACES = /(?<!\{)\{([^{}]*)\}(?!\})/g;

export function fillPlaceholders(topic: string, instance: { n: number; id: string }): string {
  return topic.replace(PLACEHOLDER, (_, name: string) => (name === 'n' ? String(instance.n) : instance.id));
}

/** Single-brace placeholders other than {n} and {id}: almost always a typo for one of them or for {{ }}. */
export function unknownPlaceholders(topic: string): string[] {
  return [...topic.matchAll(ANY_SINGLE_BRACES)].map((m) => m[0]).filter((p) => p !== '{n}' && p !== '{id}');
}

/** Why `filter` is not a usable MQTT subscription filter, or undefined. */
export function filterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'is empty';
  if (filter.includes('\u0000')) return 'contains a NUL character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return "'#' must be a whole level and the last one";
    if (level.includes('+') && level !== '+') return "'+' must be a whole level";
  }
  return undefined;
}

/** Why `topic` cannot be published to, or undefined. */
export function publishTopicProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'is empty';
  if (/[+#]/.test(topic)) return "must not contain '+' or '#' (a command goes to one topic)";
  if (topic.includes('\u0000')) return 'contains a NUL character';
  return undefined;
}

/** Sparkplug B topics: spBv1.0/{group}/{message type}/{edge node}[/{device}]. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

export function isSparkplugTopic(topic: string): boolean {
  return topic.split('/')[0] === SPARKPLUG_NAMESPACE;
}
