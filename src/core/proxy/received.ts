// Turns a device's MQTT message into what the model's expressions see as `payload` and `topic`: parsed
// JSON, the text, or decoded Sparkplug B metrics.
import type { ReceivedMessage } from '../device/actuation.js';
import { isSparkplugTopic } from '../device/topic-binding.js';
import { decodeSparkplug, type SparkplugDefinitions, type SparkplugMessage } from './sparkplug.js';

export interface DecodedMessage extends ReceivedMessage {
  /** Set for Sparkplug B topics. */
  sparkplug?: SparkplugMessage;
  /** Set when the text parsed as JSON (payload is then the parsed value). */
  json: boolean;
}

export class MessageDecodeError extends Error {}

const TEXT_PREVIEW = 200;

export function decodeReceived(topic: string, payload: Buffer, definitions: SparkplugDefinitions): DecodedMessage {
  if (isSparkplugTopic(topic) && !topic.split('/').includes('STATE')) {
    let sparkplug: SparkplugMessage;
    try {
      sparkplug = decodeSparkplug(topic, payload, definitions);
    } catch (e) {
      throw new MessageDecodeError(`not a Sparkplug B payload (${payload.length} bytes): ${(e as Error).message}`);
    }
    const shown = { timestamp: sparkplug.timestamp, seq: sparkplug.seq, metrics: sparkplug.metrics };
    return { topic, payload: shown, text: JSON.stringify(shown), sparkplug, json: false };
  }
  const text = payload.toString('utf8');
  try {
    return { topic, payload: JSON.parse(text) as unknown, text, json: true };
  } catch {
    return { topic, payload: text, text, json: false };
  }
}

/** A short, printable excerpt of a payload for messages and events. */
export function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > TEXT_PREVIEW ? `${oneLine.slice(0, TEXT_PREVIEW - 3)}...` : oneLine;
}
