// Finding devices among every name a registry knows, without contacting any: the fleet server's
// find_devices and the editor's Find Device picker and tree filter all use this one index, so they agree
// on what matches. Names are scanned in the registry's sorted order; a filter's literal start narrows the
// scan to a contiguous range, and text queries compare against lowercased name + descriptions built once.
import { compileTopicFilter } from '../protocol/topics.js';
import { lowerBound, prefixRange } from '../util/sorted.js';
import type { DiscoveryRegistry } from './registry.js';

/** How many matches a picker shows; past it, a row says how many more there are. */
export const FIND_DEVICE_LIMIT = 200;

export interface DeviceQuery {
  /** A server-name filter with MQTT wildcards; undefined or '#' matches every name. */
  filter?: string;
  /** Words that must all appear (case-insensitive) in the name or a description. */
  text?: string;
  onlineOnly?: boolean;
}

export interface DeviceMatches {
  /** The first `limit` matching names, in sorted order. */
  names: string[];
  /** How many names match in all. */
  total: number;
}

/** What a person typed into a picker or filter box: MQTT wildcards make it a filter, anything else is text. */
export function parseDeviceQuery(input: string): DeviceQuery {
  const trimmed = input.trim();
  if (!trimmed) return {};
  return /[+#]/.test(trimmed) ? { filter: trimmed } : { text: trimmed };
}

export function describeDeviceQuery(query: DeviceQuery): string {
  return query.filter ?? query.text ?? '';
}

export class RegistrySearch {
  /** Lowercased name + descriptions per sorted-name index, filled as text queries need them. */
  private index: { names: readonly string[]; text: (string | undefined)[] } | undefined;
  private readonly stopWatching: () => void;

  constructor(private readonly registry: DiscoveryRegistry) {
    // A change to a name's presence drops only that name's text; names coming or going drop the index
    // (its positions shift), noticed by sortedNames() handing out a new array.
    this.stopWatching = registry.onDidChange(({ names }) => {
      const index = this.index;
      if (!index) return;
      for (const name of names) {
        const i = lowerBound(index.names, name);
        if (index.names[i] === name) index.text[i] = undefined;
      }
    });
  }

  find(query: DeviceQuery, limit = Number.POSITIVE_INFINITY): DeviceMatches {
    const registry = this.registry;
    const { filter } = query;
    const matches = filter && filter !== '#' ? compileTopicFilter(filter) : undefined;
    const words = query.text ? query.text.toLowerCase().split(/\s+/).filter(Boolean) : [];
    const names = registry.sortedNames();
    const out: string[] = [];
    let total = 0;
    const [start, end] = prefixRange(names, filter ? literalPrefix(filter) : '');
    for (let i = start; i < end; i++) {
      const name = names[i] as string;
      if (matches && !matches(name)) continue;
      if (query.onlineOnly && !registry.isOnline(name)) continue;
      if (words.length) {
        const haystack = this.text(names, i, name);
        if (!words.every((w) => haystack.includes(w))) continue;
      }
      if (total++ < limit) out.push(name);
    }
    return { names: out, total };
  }

  private text(names: readonly string[], index: number, name: string): string {
    if (this.index?.names !== names) this.index = { names, text: new Array<string | undefined>(names.length) };
    let text = this.index.text[index];
    if (text === undefined) {
      text = name.toLowerCase();
      for (const i of this.registry.instancesOf(name)) if (i.description) text += `\n${i.description.toLowerCase()}`;
      this.index.text[index] = text;
    }
    return text;
  }

  dispose(): void {
    this.stopWatching();
    this.index = undefined;
  }
}

const searches = new WeakMap<DiscoveryRegistry, RegistrySearch>();

/** The one search index of a registry, shared by everything that searches it. */
export function searchOf(registry: DiscoveryRegistry): RegistrySearch {
  let search = searches.get(registry);
  if (!search) searches.set(registry, (search = new RegistrySearch(registry)));
  return search;
}

/**
 * The part of a filter before its first wildcard level ("a/b/+/c" → "a/b/", "a/#" → "a"): every name the
 * filter matches starts with it.
 */
export function literalPrefix(filter: string): string {
  const levels = filter.split('/');
  const first = levels.findIndex((l) => l === '+' || l === '#');
  if (first < 0) return filter;
  const prefix = levels.slice(0, first).map((l) => `${l}/`).join('');
  // "a/#" also matches "a" itself.
  return levels[first] === '#' ? prefix.slice(0, -1) : prefix;
}
