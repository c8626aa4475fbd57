import { filterMatches } from './topics.js';
import { isExpired, type BrokerMessage } from './message.js';

interface RetainedEntry {
  message: BrokerMessage;
  levels: string[];
}

/** The last retained message per topic. Lookups by filter scan every topic: cheap next to writing the matches out. */
export class RetainedStore {
  private readonly byTopic = new Map<string, RetainedEntry>();

  get size(): number {
    return this.byTopic.size;
  }

  /** Stores or replaces the topic's retained message; an empty payload deletes it (MQTT 5 §3.3.1.3). */
  apply(message: BrokerMessage): void {
    if (message.payload.length === 0) {
      this.byTopic.delete(message.topic);
      return;
    }
    // Copy the payload so a long-lived retained message does not pin the whole socket read buffer it was sliced from.
    const stored: BrokerMessage = { ...message, payload: Buffer.from(message.payload), origin: undefined };
    this.byTopic.set(message.topic, { message: stored, levels: message.topic.split('/') });
  }

  /** Retained messages whose topic matches the filter, in the order their topics were first retained. */
  matching(filter: string, now: number): BrokerMessage[] {
    const filterLevels = filter.split('/');
    const found: BrokerMessage[] = [];
    for (const [topic, entry] of this.byTopic) {
      if (!filterMatches(filterLevels, entry.levels)) continue;
      if (isExpired(entry.message, now)) {
        this.byTopic.delete(topic);
        continue;
      }
      found.push(entry.message);
    }
    return found;
  }

  clear(): void {
    this.byTopic.clear();
  }
}
