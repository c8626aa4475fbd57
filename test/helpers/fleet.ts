// Large simulated fleets as retained presence only (no device behind them): what discovery and the tree see
// of tens of thousands of devices, published quickly by one raw MQTT connection.
import mqtt from 'mqtt';

export function fleetServerName(prefix: string, i: number): string {
  return `${prefix}/room-${Math.floor(i / 100)}/sensor-${i}`;
}

/** Publishes `count` retained online presence messages; resolves once the broker holds all of them. */
export async function publishPresenceFleet(url: string, prefix: string, count: number, extra: (i: number) => Record<string, unknown> = () => ({})): Promise<void> {
  const publisher = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `fleet-pub-${Math.random().toString(36).slice(2, 10)}`, reconnectPeriod: 0 });
  try {
    for (let i = 0; i < count; i++) {
      const name = fleetServerName(prefix, i);
      const payload = JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/server/online',
        params: { server_name: name, description: `fleet sensor ${i}`, meta: { version: '1.0.0', ...extra(i) } },
      });
      // QoS 0 except the last: its PUBACK comes after the broker has taken every earlier publish, in order.
      const qos = i === count - 1 ? 1 : 0;
      if (qos === 0 && i % 500 !== 0) publisher.publish(`$mcp-server/presence/s${i}/${name}`, payload, { qos, retain: true });
      else await publisher.publishAsync(`$mcp-server/presence/s${i}/${name}`, payload, { qos, retain: true });
    }
  } finally {
    await publisher.endAsync();
  }
}

/** Clears the retained presence of a fleet published with the same prefix and count. */
export async function clearPresenceFleet(url: string, prefix: string, count: number): Promise<void> {
  const publisher = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `fleet-clear-${Math.random().toString(36).slice(2, 10)}`, reconnectPeriod: 0 });
  try {
    for (let i = 0; i < count; i++) {
      const topic = `$mcp-server/presence/s${i}/${fleetServerName(prefix, i)}`;
      if (i === count - 1) await publisher.publishAsync(topic, '', { qos: 1, retain: true });
      else publisher.publish(topic, '', { qos: 0, retain: true });
    }
  } finally {
    await publisher.endAsync();
  }
}
