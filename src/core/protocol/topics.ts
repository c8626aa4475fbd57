// Topic names of the MCP-over-MQTT transport (spec 2025-06-19+), with the legacy forms old firmware still uses.
// Ids (server-id, mcp-client-id) are single topic levels; a server-name is everything after them, so parsing
// takes the id segment(s) first and joins the rest.

export const TOPIC_ROOT = {
  server: '$mcp-server',
  client: '$mcp-client',
  rpc: '$mcp-rpc',
  legacyRpc: '$mcp-rpc-endpoint',
} as const;

export class TopicError extends Error {
  override name = 'TopicError';
}

const WILDCARDS = /[+#]/;

/** Refuses ids that could not stand as one topic level: empty, or containing `/`, `+`, `#` or NUL. */
export function assertValidId(kind: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new TopicError(`${kind} must not be empty`);
  if (/[/+#]/.test(id) || id.includes('\u0000')) throw new TopicError(`${kind} "${preview(id)}" must not contain "/", "+", "#" or NUL`);
  if (Buffer.byteLength(id) > 65535) throw new TopicError(`${kind} is longer than an MQTT topic can be`);
}

/**
 * Refuses server-names that would break topics or wildcard matching, and empty levels: the rule for names this
 * project announces (server hosts). Non-hierarchical names are allowed (seen in the wild).
 */
export function assertValidServerName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TopicError('server-name must not be empty');
  if (WILDCARDS.test(name)) throw new TopicError(`server-name "${preview(name)}" must not contain "+" or "#"`);
  if (name.includes('\u0000')) throw new TopicError('server-name must not contain NUL');
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    throw new TopicError(`server-name "${preview(name)}" must not have empty levels`);
  // Topics are limited to 65535 bytes; leave room for the prefix and ids.
  if (Buffer.byteLength(name) > 60000) throw new TopicError('server-name is too long for an MQTT topic');
}

/**
 * What a topic can carry at all: the check for names of servers we talk to. Devices in the wild use names with
 * empty levels or a trailing `/`; those are valid topic levels, so a client must still reach them (spec §1).
 */
export function assertUsableServerName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TopicError('server-name must not be empty');
  if (WILDCARDS.test(name)) throw new TopicError(`server-name "${preview(name)}" must not contain "+" or "#"`);
  if (name.includes('\u0000')) throw new TopicError('server-name must not contain NUL');
  if (Buffer.byteLength(name) > 65535) throw new TopicError('server-name is too long for an MQTT topic');
}

/** Server-name filters may use wildcards (they select names), but never be empty. */
export function assertValidServerNameFilter(filter: string): void {
  if (typeof filter !== 'string' || filter.length === 0) throw new TopicError('server-name filter must not be empty');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      throw new TopicError(`server-name filter "${preview(filter)}": "#" must be a whole last level`);
    if (level.includes('+') && level !== '+') throw new TopicError(`server-name filter "${preview(filter)}": "+" must be a whole level`);
  });
}

/** MQTT topics are at most 65535 bytes; ids and a name can each pass their own checks and still add up to more. */
function fits(topic: string): string {
  if (Buffer.byteLength(topic) > 65535) throw new TopicError(`topic "${preview(topic)}" is longer than MQTT allows (65535 bytes)`);
  return topic;
}

function preview(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export const topics = {
  serverControl(serverId: string, serverName: string): string {
    assertValidId('server-id', serverId);
    assertUsableServerName(serverName);
    return fits(`${TOPIC_ROOT.server}/${serverId}/${serverName}`);
  },
  serverCapability(serverId: string, serverName: string): string {
    assertValidId('server-id', serverId);
    assertUsableServerName(serverName);
    return fits(`${TOPIC_ROOT.server}/capability/${serverId}/${serverName}`);
  },
  serverPresence(serverId: string, serverName: string): string {
    assertValidId('server-id', serverId);
    assertUsableServerName(serverName);
    return fits(`${TOPIC_ROOT.server}/presence/${serverId}/${serverName}`);
  },
  clientPresence(clientId: string): string {
    assertValidId('mcp-client-id', clientId);
    return fits(`${TOPIC_ROOT.client}/presence/${clientId}`);
  },
  clientCapability(clientId: string): string {
    assertValidId('mcp-client-id', clientId);
    return fits(`${TOPIC_ROOT.client}/capability/${clientId}`);
  },
  rpc(clientId: string, serverId: string, serverName: string): string {
    assertValidId('mcp-client-id', clientId);
    assertValidId('server-id', serverId);
    assertUsableServerName(serverName);
    return fits(`${TOPIC_ROOT.rpc}/${clientId}/${serverId}/${serverName}`);
  },
  /** Filter a client uses to discover servers: `$mcp-server/presence/+/{filter}`. */
  presenceFilter(serverNameFilter: string): string {
    assertValidServerNameFilter(serverNameFilter);
    return `${TOPIC_ROOT.server}/presence/+/${serverNameFilter}`;
  },
  /** Pre-2025-06-19 firmware: the RPC topic was `$mcp-rpc-endpoint/{cid}/{server-name}` (no server-id). */
  legacyRpc(clientId: string, serverName: string): string {
    assertValidId('mcp-client-id', clientId);
    assertUsableServerName(serverName);
    return fits(`${TOPIC_ROOT.legacyRpc}/${clientId}/${serverName}`);
  },
  /** Pre-2025-06-19 firmware split capability notifications over two topics. */
  legacyCapability(kind: 'list-changed' | 'resource-updated', serverId: string, serverName: string): string {
    assertValidId('server-id', serverId);
    assertUsableServerName(serverName);
    return fits(`${TOPIC_ROOT.server}/capability/${kind}/${serverId}/${serverName}`);
  },
};

export type ParsedTopic =
  | { kind: 'server-control'; serverId: string; serverName: string }
  | { kind: 'server-capability'; serverId: string; serverName: string; legacy?: 'list-changed' | 'resource-updated' }
  | { kind: 'server-presence'; serverId: string; serverName: string }
  | { kind: 'client-presence'; clientId: string }
  | { kind: 'client-capability'; clientId: string }
  | { kind: 'rpc'; clientId: string; serverId: string; serverName: string }
  | { kind: 'legacy-rpc'; clientId: string; serverName: string };

/**
 * Parses any MCP-over-MQTT topic leniently (names as devices send them, even non-hierarchical ones).
 * Returns undefined for topics that are not part of the transport or lack a level they need.
 *
 * `$mcp-server/capability/list-changed/...` is ambiguous with a server whose id is "list-changed"; the legacy
 * reading wins only when a known legacy id is followed by at least two more levels (id and name).
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const levels = topic.split('/');
  const [root, second] = levels;
  const nonEmpty = (s: string | undefined): s is string => s !== undefined && s.length > 0;
  if (root === TOPIC_ROOT.server) {
    if (second === 'presence' || second === 'capability') {
      const [, , id, ...name] = levels;
      if (second === 'capability' && (id === 'list-changed' || id === 'resource-updated') && levels.length >= 5) {
        const [, , , legacyId, ...legacyName] = levels;
        if (nonEmpty(legacyId) && legacyName.length > 0)
          return { kind: 'server-capability', serverId: legacyId, serverName: legacyName.join('/'), legacy: id };
      }
      if (!nonEmpty(id) || name.length === 0 || name.join('/') === '') return undefined;
      return second === 'presence'
        ? { kind: 'server-presence', serverId: id, serverName: name.join('/') }
        : { kind: 'server-capability', serverId: id, serverName: name.join('/') };
    }
    const [, id, ...name] = levels;
    if (!nonEmpty(id) || name.length === 0 || name.join('/') === '') return undefined;
    return { kind: 'server-control', serverId: id, serverName: name.join('/') };
  }
  if (root === TOPIC_ROOT.client && levels.length === 3 && nonEmpty(levels[2])) {
    if (second === 'presence') return { kind: 'client-presence', clientId: levels[2] };
    if (second === 'capability') return { kind: 'client-capability', clientId: levels[2] };
    return undefined;
  }
  if (root === TOPIC_ROOT.rpc) {
    const [, cid, sid, ...name] = levels;
    if (!nonEmpty(cid) || !nonEmpty(sid) || name.length === 0 || name.join('/') === '') return undefined;
    return { kind: 'rpc', clientId: cid, serverId: sid, serverName: name.join('/') };
  }
  if (root === TOPIC_ROOT.legacyRpc) {
    const [, cid, ...name] = levels;
    if (!nonEmpty(cid) || name.length === 0 || name.join('/') === '') return undefined;
    return { kind: 'legacy-rpc', clientId: cid, serverName: name.join('/') };
  }
  return undefined;
}

/** MQTT topic-filter matching (used for routing inside one connection), including the `$` first-level rule. */
export function topicMatches(filter: string, topic: string): boolean {
  return filter === topic || compileTopicFilter(filter)(topic);
}

/**
 * A matcher for one filter, split once. It walks the topic with indexOf instead of splitting it, so routing
 * a message allocates nothing: discovery routes every retained presence message of a fleet through here.
 */
export function compileTopicFilter(filter: string): (topic: string) => boolean {
  const levels = filter.split('/');
  const wildcardFirst = levels[0] === '+' || levels[0] === '#';
  return (topic) => {
    if (wildcardFirst && topic.charCodeAt(0) === 36 /* $ */) return false;
    let start = 0;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i] as string;
      if (level === '#') return true;
      if (start > topic.length) return false;
      let end = topic.indexOf('/', start);
      if (end === -1) end = topic.length;
      if (level !== '+' && (end - start !== level.length || !topic.startsWith(level, start))) return false;
      start = end + 1;
    }
    return start === topic.length + 1;
  };
}

/**
 * `$mcp-server/presence/{server-id}/{server-name}` without splitting: the hot path of discovery. Returns
 * undefined for anything else (then parseTopic explains nothing more either).
 */
export function parsePresenceTopic(topic: string): { serverId: string; serverName: string } | undefined {
  const prefix = '$mcp-server/presence/';
  if (!topic.startsWith(prefix)) return undefined;
  const slash = topic.indexOf('/', prefix.length);
  if (slash <= prefix.length || slash === topic.length - 1) return undefined;
  return { serverId: topic.slice(prefix.length, slash), serverName: topic.slice(slash + 1) };
}
