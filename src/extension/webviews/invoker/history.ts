// Per-tool call history of the invoker, kept in globalState across reloads. Bounded twice: entries per tool
// and the number of tools remembered (least recently used tools are forgotten first).
import type { HistoryEntry } from '../../../../webview/shared/protocol.js';

export const HISTORY_KEY = 'mqttMcp.invoker.history';
export const MAX_ENTRIES_PER_TOOL = 50;
export const MAX_TOOLS = 200;

/** Tool key → entries, newest first. Object key order doubles as recency order (most recent last). */
export type HistoryMap = Record<string, HistoryEntry[]>;

export function historyKey(brokerId: string, serverName: string, tool: string): string {
  return JSON.stringify([brokerId, serverName, tool]);
}

/** A new map with `entry` first in its tool's list, both bounds applied. Never mutates `map`. */
export function addHistoryEntry(map: HistoryMap, key: string, entry: HistoryEntry, perTool = MAX_ENTRIES_PER_TOOL, maxTools = MAX_TOOLS): HistoryMap {
  const entries = [entry, ...(map[key] ?? [])].slice(0, perTool);
  const rest = Object.entries(map).filter(([k]) => k !== key);
  const kept = rest.slice(Math.max(0, rest.length - (maxTools - 1)));
  return Object.fromEntries([...kept, [key, entries]]);
}

/** Reads what globalState holds, dropping anything malformed (older versions, hand edits). */
export function readHistoryMap(stored: unknown): HistoryMap {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const out: HistoryMap = {};
  for (const [key, list] of Object.entries(stored)) {
    if (!Array.isArray(list)) continue;
    out[key] = list.filter(isHistoryEntry).slice(0, MAX_ENTRIES_PER_TOOL);
  }
  return out;
}

function isHistoryEntry(v: unknown): v is HistoryEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.time === 'number' && typeof e.durationMs === 'number' && typeof e.outcome === 'string' &&
    typeof e.args === 'object' && e.args !== null && !Array.isArray(e.args);
}

export interface HistoryStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

export class InvokerHistory {
  constructor(private readonly storage: HistoryStorage) {}

  list(key: string): HistoryEntry[] {
    return readHistoryMap(this.storage.get(HISTORY_KEY))[key] ?? [];
  }

  async add(key: string, entry: HistoryEntry): Promise<HistoryEntry[]> {
    const map = addHistoryEntry(readHistoryMap(this.storage.get(HISTORY_KEY)), key, entry);
    await this.storage.update(HISTORY_KEY, map);
    return map[key] ?? [];
  }

  async clear(key: string): Promise<void> {
    const map = readHistoryMap(this.storage.get(HISTORY_KEY));
    delete map[key];
    await this.storage.update(HISTORY_KEY, map);
  }
}
