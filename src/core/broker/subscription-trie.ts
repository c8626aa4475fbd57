// A trie of topic filters, one node per level, so matching a topic costs its depth rather than the number of filters.

export interface SubscriptionOptions {
  qos: 0 | 1;
  noLocal: boolean;
  retainAsPublished: boolean;
  subscriptionIdentifier?: number;
}

/** What one subscriber gets for one topic once all its matching filters are combined. */
export interface MatchedSubscriber {
  qos: 0 | 1;
  retainAsPublished: boolean;
  subscriptionIdentifiers: number[];
}

interface TrieNode<S> {
  children: Map<string, TrieNode<S>>;
  subscribers: Map<S, SubscriptionOptions>;
}

function newNode<S>(): TrieNode<S> {
  return { children: new Map(), subscribers: new Map() };
}

export class SubscriptionTrie<S> {
  private readonly root: TrieNode<S> = newNode();

  /** Adds or replaces a subscription; returns whether the subscriber already had this exact filter. */
  add(filter: string, subscriber: S, options: SubscriptionOptions): boolean {
    let node = this.root;
    for (const level of filter.split('/')) {
      let child = node.children.get(level);
      if (!child) {
        child = newNode();
        node.children.set(level, child);
      }
      node = child;
    }
    const existed = node.subscribers.has(subscriber);
    node.subscribers.set(subscriber, options);
    return existed;
  }

  /** Removes a subscription; returns whether it existed. Empty branches are pruned so the trie does not grow forever. */
  remove(filter: string, subscriber: S): boolean {
    const path: TrieNode<S>[] = [this.root];
    const levels = filter.split('/');
    for (const level of levels) {
      const child = path[path.length - 1]?.children.get(level);
      if (!child) return false;
      path.push(child);
    }
    const leaf = path[path.length - 1] as TrieNode<S>;
    const existed = leaf.subscribers.delete(subscriber);
    for (let i = levels.length; i > 0; i--) {
      const node = path[i] as TrieNode<S>;
      if (node.subscribers.size > 0 || node.children.size > 0) break;
      path[i - 1]?.children.delete(levels[i - 1] as string);
    }
    return existed;
  }

  /**
   * Every subscriber with at least one filter matching `topic`, with its filters combined: the highest QoS,
   * retain-as-published if any filter asks for it, and all subscription identifiers. A No Local filter
   * does not count when `origin` is that subscriber.
   */
  match(topic: string, origin?: unknown): Map<S, MatchedSubscriber> {
    const result = new Map<S, MatchedSubscriber>();
    const levels = topic.split('/');
    const collect = (node: TrieNode<S>): void => {
      for (const [subscriber, options] of node.subscribers) {
        if (options.noLocal && subscriber === origin) continue;
        const seen = result.get(subscriber);
        if (!seen) {
          result.set(subscriber, {
            qos: options.qos,
            retainAsPublished: options.retainAsPublished,
            subscriptionIdentifiers: options.subscriptionIdentifier === undefined ? [] : [options.subscriptionIdentifier],
          });
        } else {
          if (options.qos > seen.qos) seen.qos = options.qos;
          seen.retainAsPublished ||= options.retainAsPublished;
          if (options.subscriptionIdentifier !== undefined) seen.subscriptionIdentifiers.push(options.subscriptionIdentifier);
        }
      }
    };
    const walk = (node: TrieNode<S>, depth: number): void => {
      // A wildcard in the first level never matches a '$' topic (MQTT 5 §4.7.2).
      const wildcardsAllowed = depth > 0 || !levels[0]?.startsWith('$');
      if (wildcardsAllowed) {
        const multi = node.children.get('#');
        if (multi) collect(multi);
      }
      if (depth === levels.length) {
        collect(node);
        return;
      }
      const exact = node.children.get(levels[depth] as string);
      if (exact) walk(exact, depth + 1);
      if (wildcardsAllowed) {
        const single = node.children.get('+');
        if (single) walk(single, depth + 1);
      }
    };
    walk(this.root, 0);
    return result;
  }
}
