// Topic name and topic filter rules from MQTT 5 §4.7, shared by the subscription trie and the retained store.

export type FilterCheck = 'ok' | 'invalid' | 'shared';

export function isValidTopicName(topic: string): boolean {
  if (topic.length === 0) return false;
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    // '+' (43), '#' (35) and NUL are never allowed in a name someone publishes to.
    if (c === 43 || c === 35 || c === 0) return false;
  }
  return true;
}

export function checkTopicFilter(filter: string): FilterCheck {
  if (filter.length === 0 || filter.includes('\u0000')) return 'invalid';
  // Shared subscriptions are a valid filter syntax the broker declines, which clients must be told apart from a typo.
  if (filter.startsWith('$share/')) return 'shared';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'invalid';
    if (level.includes('+') && level !== '+') return 'invalid';
  }
  return 'ok';
}

/**
 * Whether a valid filter (already split on '/') matches a topic name (already split).
 * A filter whose first level is a wildcard never matches a topic starting with '$' (MQTT 5 §4.7.2).
 */
export function filterMatches(filterLevels: readonly string[], topicLevels: readonly string[]): boolean {
  const first = filterLevels[0];
  if ((first === '+' || first === '#') && (topicLevels[0] ?? '').startsWith('$')) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    const f = filterLevels[i];
    if (f === '#') return true;
    if (i >= topicLevels.length) return false;
    if (f !== '+' && f !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
