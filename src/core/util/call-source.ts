// Which face of the product made a call (tree, invoker, agent...), carried through the SDK's promise chain
// to the transport without changing any SDK signature, so the timeline can say who asked.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventSource } from '../events/event-log.js';

const storage = new AsyncLocalStorage<EventSource>();

export function withCallSource<T>(source: EventSource, fn: () => T): T {
  return storage.run(source, fn);
}

export function currentCallSource(): EventSource | undefined {
  return storage.getStore();
}
