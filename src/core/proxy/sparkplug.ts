// Sparkplug B payloads (the Eclipse Tahu protobuf, through the sparkplug-payload package): decoding metrics
// to plain values by name, learning aliases and datatypes from BIRTH messages, and encoding commands.
//
// Decoding goes through the generated protobuf type rather than the package's decodePayload because DATA
// messages usually carry only an alias and no datatype (Sparkplug 3.0 says they should not repeat it), and
// decodePayload turns a value without a datatype into null. The BIRTH tells both, so values are read here.
import { get as sparkplugCodec } from 'sparkplug-payload';
import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { SPARKPLUG_NAMESPACE } from '../device/topic-binding.js';

const { Payload } = org.eclipse.tahu.protobuf;
const DataType = org.eclipse.tahu.protobuf.DataType;

export interface SparkplugTopic {
  group: string;
  messageType: string;
  edgeNode: string;
  device?: string;
}

export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const [namespace, group, messageType, edgeNode, device, ...rest] = topic.split('/');
  if (namespace !== SPARKPLUG_NAMESPACE || !group || !messageType || !edgeNode || rest.length) return undefined;
  return { group, messageType, edgeNode, ...(device ? { device } : {}) };
}

/** The BIRTH topic that defines the metrics of a DATA topic or filter, or undefined when the filter covers it already. */
export function birthFilterFor(filter: string): string | undefined {
  const levels = filter.split('/');
  if (levels[0] !== SPARKPLUG_NAMESPACE) return undefined;
  if (levels[2] === 'NDATA') levels[2] = 'NBIRTH';
  else if (levels[2] === 'DDATA') levels[2] = 'DBIRTH';
  else return undefined;
  return levels.join('/');
}

export interface SparkplugMessage {
  timestamp?: number;
  seq?: number;
  /** Metric name to value; metrics known only by an alias that no BIRTH named are left out (see unknownAliases). */
  metrics: Record<string, unknown>;
  unknownAliases: number[];
}

interface MetricDefinition {
  name: string;
  datatype: number;
}

/**
 * What BIRTH messages said about each edge node's metrics. Aliases are unique per edge node (its devices
 * included), so the key is group + edge node.
 */
export class SparkplugDefinitions {
  private readonly byNode = new Map<string, { byAlias: Map<string, MetricDefinition>; byName: Map<string, number> }>();

  definitions(topic: SparkplugTopic): { byAlias: Map<string, MetricDefinition>; byName: Map<string, number> } {
    const key = `${topic.group}/${topic.edgeNode}`;
    let entry = this.byNode.get(key);
    if (!entry) this.byNode.set(key, (entry = { byAlias: new Map(), byName: new Map() }));
    return entry;
  }
}

type RawMetric = { name?: string; alias?: string; datatype?: number; isNull?: boolean } & Record<string, unknown>;

/** Decodes a Sparkplug B payload; throws on bytes that are not one. */
export function decodeSparkplug(topic: string, bytes: Uint8Array, definitions: SparkplugDefinitions): SparkplugMessage {
  const parsedTopic = parseSparkplugTopic(topic);
  const raw = Payload.toObject(Payload.decode(bytes), { longs: String, bytes: String }) as { timestamp?: string; seq?: string; metrics?: RawMetric[] };
  const known = parsedTopic ? definitions.definitions(parsedTopic) : undefined;
  const isBirth = parsedTopic?.messageType.endsWith('BIRTH') ?? false;
  const out: SparkplugMessage = { metrics: {}, unknownAliases: [] };
  if (raw.timestamp !== undefined) out.timestamp = Number(raw.timestamp);
  if (raw.seq !== undefined) out.seq = Number(raw.seq);
  for (const metric of raw.metrics ?? []) {
    const byAlias = metric.alias !== undefined ? known?.byAlias.get(metric.alias) : undefined;
    const name = metric.name ?? byAlias?.name;
    const datatype = metric.datatype ?? byAlias?.datatype ?? (name !== undefined ? known?.byName.get(name) : undefined);
    if (known && isBirth && name !== undefined && datatype !== undefined) {
      if (metric.alias !== undefined) known.byAlias.set(metric.alias, { name, datatype });
      known.byName.set(name, datatype);
    }
    if (name === undefined) {
      if (metric.alias !== undefined) out.unknownAliases.push(Number(metric.alias));
      continue;
    }
    out.metrics[name] = metric.isNull ? null : metricValue(metric, datatype);
  }
  return out;
}

function metricValue(metric: RawMetric, datatype: number | undefined): unknown {
  switch (datatype) {
    case DataType.Int8: return ((Number(metric.intValue ?? 0) << 24) >> 24);
    case DataType.Int16: return ((Number(metric.intValue ?? 0) << 16) >> 16);
    case DataType.Int32: return Number(metric.intValue ?? 0) | 0;
    case DataType.UInt8: case DataType.UInt16: case DataType.UInt32:
      return Number(metric.intValue ?? metric.longValue ?? 0);
    case DataType.Int64: return bigToNumber(BigInt.asIntN(64, BigInt(String(metric.longValue ?? 0))));
    case DataType.UInt64: case DataType.DateTime: return bigToNumber(BigInt(String(metric.longValue ?? 0)));
    case DataType.Float: return metric.floatValue ?? 0;
    case DataType.Double: return metric.doubleValue ?? 0;
    case DataType.Boolean: return metric.booleanValue ?? false;
    case DataType.String: case DataType.Text: case DataType.UUID: return metric.stringValue ?? '';
    default: {
      // Bytes, files, data sets, templates, property sets, or no known datatype: whichever value field is set.
      const field = Object.keys(metric).find((k) => k.endsWith('Value'));
      return field ? metric[field] : null;
    }
  }
}

/** 64-bit integers beyond 2^53 stay exact as strings rather than rounding silently. */
function bigToNumber(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export interface SparkplugCommandMetric {
  name: string;
  type: UMetric['type'];
  value: unknown;
}

/** Encodes NCMD/DCMD metrics; `seq` is left out, as commands from a host application carry none. */
export function encodeSparkplug(metrics: SparkplugCommandMetric[], timestamp = Date.now()): Uint8Array {
  const codec = sparkplugCodec(SPARKPLUG_NAMESPACE);
  if (!codec) throw new Error('the Sparkplug B codec is missing');
  const payload: UPayload = { timestamp, metrics: metrics.map((m) => ({ name: m.name, type: m.type, value: m.value as UMetric['value'] })) };
  return codec.encodePayload(payload);
}

export const SPARKPLUG_TYPES = Object.keys(DataType).filter((k) => Number.isNaN(Number(k)) && k !== 'Unknown');
