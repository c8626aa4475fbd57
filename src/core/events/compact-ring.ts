// The event log's storage: a ring of events kept in columns instead of objects, so 100,000 events take
// tens of megabytes, not over a hundred. Numbers sit in typed arrays; small enums in bytes; the strings that
// repeat (broker, server, client, topic, method) are interned; user-property sets are shared by content;
// the summary and the payload (as JSON text) are UTF-8 bytes in append-only chunks that are dropped once
// every event in them is evicted. An event object is built only when someone reads it.
import type { UserProperties } from '../protocol/properties.js';
import type { EventKind, EventSource, TimelineEvent } from './event-types.js';

export type StoredEvent = Omit<TimelineEvent, 'seq'>;

const KINDS: readonly EventKind[] = ['connection', 'presence', 'request', 'response', 'notification', 'session', 'error', 'check', 'consent'];
const LEVELS: readonly NonNullable<TimelineEvent['level']>[] = ['info', 'warn', 'error'];
const DIRECTIONS: readonly NonNullable<TimelineEvent['direction']>[] = ['in', 'out'];
const SOURCES: readonly EventSource[] = ['tree', 'palette', 'invoker', 'agent', 'cli', 'checker', 'simulator', 'system'];
const CODE_OF = {
  kind: new Map(KINDS.map((k, i) => [k, i])),
  level: new Map(LEVELS.map((k, i) => [k, i + 1])),
  direction: new Map(DIRECTIONS.map((k, i) => [k, i + 1])),
  source: new Map(SOURCES.map((k, i) => [k, i + 1])),
};

/** String fields, in their column order; rpcId is here when it is a string. */
const STRING_FIELDS = ['broker', 'serverName', 'serverId', 'clientId', 'topic', 'method'] as const;
const RPC_ID_STRING = STRING_FIELDS.length;
const STRING_COLUMNS = STRING_FIELDS.length + 1;

const CHUNK_BYTES = 256 * 1024;
const NO_PAYLOAD = 0xffffffff;
/** The interning tables start over past this many entries, so unique strings cannot pile up in them. */
const MAX_INTERNED = 50_000;

interface Chunk {
  id: number;
  bytes: Buffer;
  used: number;
}

export class CompactRing {
  private head = 0;
  private count = 0;
  private readonly time: Float64Array;
  private readonly latency: Float64Array;
  private readonly sizes: Float64Array;
  private readonly rpcNumber: Float64Array;
  /** kind, level, direction, source: 0 is "absent" for all but kind. */
  private readonly codes: Uint8Array;
  private readonly strings: (string | undefined)[];
  private readonly properties: (UserProperties | undefined)[];
  private readonly chunkOf: Uint32Array;
  private readonly offset: Uint32Array;
  private readonly summaryBytes: Uint32Array;
  private readonly payloadBytes: Uint32Array;
  private chunks: Chunk[] = [];
  private nextChunkId = 0;
  private interned = new Map<string, string>();
  private sharedProperties = new Map<string, UserProperties>();

  constructor(readonly capacity: number) {
    this.time = new Float64Array(capacity);
    this.latency = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.rpcNumber = new Float64Array(capacity);
    this.codes = new Uint8Array(capacity * 4);
    this.strings = new Array<string | undefined>(capacity * STRING_COLUMNS).fill(undefined);
    this.properties = new Array<UserProperties | undefined>(capacity).fill(undefined);
    this.chunkOf = new Uint32Array(capacity);
    this.offset = new Uint32Array(capacity);
    this.summaryBytes = new Uint32Array(capacity);
    this.payloadBytes = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends an event; when full, the oldest is dropped first. */
  append(e: StoredEvent): void {
    if (this.count === this.capacity) this.dropOldest();
    const slot = (this.head + this.count) % this.capacity;
    this.count++;
    this.time[slot] = e.time;
    this.latency[slot] = e.latencyMs ?? Number.NaN;
    this.sizes[slot] = e.size ?? Number.NaN;
    const c = slot * 4;
    this.codes[c] = CODE_OF.kind.get(e.kind) ?? 0;
    this.codes[c + 1] = e.level ? (CODE_OF.level.get(e.level) ?? 0) : 0;
    this.codes[c + 2] = e.direction ? (CODE_OF.direction.get(e.direction) ?? 0) : 0;
    this.codes[c + 3] = e.source ? (CODE_OF.source.get(e.source) ?? 0) : 0;
    const s = slot * STRING_COLUMNS;
    for (let i = 0; i < STRING_FIELDS.length; i++) this.strings[s + i] = this.intern(e[STRING_FIELDS[i]!]);
    const rpcId = e.rpcId;
    this.rpcNumber[slot] = typeof rpcId === 'number' ? rpcId : Number.NaN;
    this.strings[s + RPC_ID_STRING] = typeof rpcId === 'string' ? this.intern(rpcId) : undefined;
    this.properties[slot] = e.userProperties && this.share(e.userProperties);
    this.storeText(slot, e.summary, e.payload === undefined ? undefined : payloadJson(e.payload));
  }

  /** The event `index` places after the oldest, built on demand. */
  at(index: number, seq: number): TimelineEvent {
    const slot = (this.head + index) % this.capacity;
    const c = slot * 4;
    const chunk = this.chunkFor(slot);
    const start = this.offset[slot]!;
    const summaryEnd = start + this.summaryBytes[slot]!;
    const e: TimelineEvent = { seq, time: this.time[slot]!, kind: KINDS[this.codes[c]!]!, summary: chunk.bytes.toString('utf8', start, summaryEnd) };
    if (this.codes[c + 1]) e.level = LEVELS[this.codes[c + 1]! - 1];
    if (this.codes[c + 2]) e.direction = DIRECTIONS[this.codes[c + 2]! - 1];
    if (this.codes[c + 3]) e.source = SOURCES[this.codes[c + 3]! - 1];
    const s = slot * STRING_COLUMNS;
    for (let i = 0; i < STRING_FIELDS.length; i++) {
      const value = this.strings[s + i];
      if (value !== undefined) e[STRING_FIELDS[i]!] = value as never;
    }
    const rpcNumber = this.rpcNumber[slot]!;
    if (!Number.isNaN(rpcNumber)) e.rpcId = rpcNumber;
    else if (this.strings[s + RPC_ID_STRING] !== undefined) e.rpcId = this.strings[s + RPC_ID_STRING];
    const properties = this.properties[slot];
    // A copy: the stored set is shared by many events and must not change through one of them.
    if (properties) e.userProperties = copyProperties(properties);
    if (!Number.isNaN(this.sizes[slot]!)) e.size = this.sizes[slot];
    if (!Number.isNaN(this.latency[slot]!)) e.latencyMs = this.latency[slot];
    const payloadLength = this.payloadBytes[slot]!;
    if (payloadLength !== NO_PAYLOAD) e.payload = JSON.parse(chunk.bytes.toString('utf8', summaryEnd, summaryEnd + payloadLength));
    return e;
  }

  dropOldest(): void {
    if (this.count === 0) return;
    const slot = this.head;
    this.strings.fill(undefined, slot * STRING_COLUMNS, (slot + 1) * STRING_COLUMNS);
    this.properties[slot] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    // Chunks are filled in event order: every chunk before the new oldest event's holds only evicted events.
    const keepFrom = this.count === 0 ? this.nextChunkId - 1 : this.chunkOf[this.head]!;
    while (this.chunks.length > 0 && this.chunks[0]!.id < keepFrom) this.chunks.shift();
  }

  private storeText(slot: number, summary: string, payload: string | undefined): void {
    const summaryLength = Buffer.byteLength(summary, 'utf8');
    const payloadLength = payload === undefined ? 0 : Buffer.byteLength(payload, 'utf8');
    const needed = summaryLength + payloadLength;
    let chunk = this.chunks.at(-1);
    if (!chunk || chunk.used + needed > chunk.bytes.length) {
      chunk = { id: this.nextChunkId++, bytes: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, needed)), used: 0 };
      this.chunks.push(chunk);
    }
    const start = chunk.used;
    chunk.bytes.write(summary, start, summaryLength, 'utf8');
    if (payload !== undefined) chunk.bytes.write(payload, start + summaryLength, payloadLength, 'utf8');
    chunk.used += needed;
    this.chunkOf[slot] = chunk.id;
    this.offset[slot] = start;
    this.summaryBytes[slot] = summaryLength;
    this.payloadBytes[slot] = payload === undefined ? NO_PAYLOAD : payloadLength;
  }

  private chunkFor(slot: number): Chunk {
    return this.chunks[this.chunkOf[slot]! - this.chunks[0]!.id]!;
  }

  private intern(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const known = this.interned.get(value);
    if (known !== undefined) return known;
    if (this.interned.size >= MAX_INTERNED) this.interned = new Map();
    this.interned.set(value, value);
    return value;
  }

  /** One stored object per distinct set of user properties (a connection sends the same set every time). */
  private share(given: UserProperties): UserProperties {
    const key = JSON.stringify(given);
    let shared = this.sharedProperties.get(key);
    if (!shared) {
      if (this.sharedProperties.size >= MAX_INTERNED) this.sharedProperties = new Map();
      shared = copyProperties(given);
      this.sharedProperties.set(key, shared);
    }
    return shared;
  }
}

function copyProperties(p: UserProperties): UserProperties {
  const out: UserProperties = {};
  for (const k in p) {
    const v = p[k]!;
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

/** The payload as JSON text; something JSON cannot hold is kept as its description. */
function payloadJson(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? JSON.stringify(String(payload));
  } catch (e) {
    return JSON.stringify({ unserializable: String(payload), reason: (e as Error).message });
  }
}
