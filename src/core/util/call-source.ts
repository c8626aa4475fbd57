// Which face of the product made a call (tree, invoker, agent...), carried through the SDK's promise chain
// to the transport without changing any SDK signature, so the timeline can say who asked.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventSource } from '../events/event-log.js';

// One store per process, even when a bundle split leaves two copies of this module (the extension's entry
// and its lazily loaded core): both copies must see the same context.
const KEY = Symbol.for('mqtt-mcp-devkit.callSource');
const holder = globalThis as { [KEY]?: AsyncLocalStorage<EventSource> };
const storage = (holder[KEY] ??= new AsyncLocalStorage<EventSource>());

export function withCallSource<T>(source: EventSource, fn: () => T): T {
  return storage.run(source, fn);
}

export function currentCallSource(): EventSource | undefined {
  return storage.getStore();
}
