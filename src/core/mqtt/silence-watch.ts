// Finds a dead link the OS has not noticed: a blackholed TCP connection (a dead NAT, a pulled cable) sends
// no FIN or RST, so the socket looks open for minutes. Whenever the broker owes this connection an answer
// (PINGRESP, PUBACK, SUBACK, UNSUBACK) and stays silent for `timeoutMs`, the stream is destroyed, which the
// connection reports as lost (sessions fail at once, reconnecting starts).
import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';

/** MQTT packets after which the broker owes us one. */
const ANSWERED_PACKETS = new Set(['pingreq', 'publish', 'subscribe', 'unsubscribe']);

export class SilenceWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private received = false;

  constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
    private readonly active: () => boolean,
    private readonly onDead: (reason: string) => void,
  ) {
    client.on('packetsend', (packet) => {
      if (ANSWERED_PACKETS.has(packet.cmd) && (packet.cmd !== 'publish' || ((packet as { qos?: number }).qos ?? 0) > 0)) this.expect();
    });
    client.on('packetreceive', () => {
      this.received = true;
      this.stop();
      // Still owed something (another PUBACK, a SUBACK): keep watching. Checked once MQTT.js has handled this
      // packet, which removes the entry it acknowledges.
      setImmediate(() => {
        if (Object.keys(client.outgoing).length > 0) this.expect();
      });
    });
    client.on('close', () => this.stop());
  }

  private expect(): void {
    if (this.timer || !this.active()) return;
    this.received = false;
    this.timer = setTimeout(() => {
      // A busy event loop fires timers before reading sockets: give data that is already there a chance first.
      setImmediate(() => {
        this.timer = undefined;
        if (this.received || !this.active()) return;
        // Our own large upload still leaving on a slow link: the broker cannot answer before it has it all.
        if (((this.client.stream as Partial<Socket> | undefined)?.writableLength ?? 0) > 0) return this.expect();
        this.onDead(`the broker did not answer for ${Math.round(this.timeoutMs / 1000)} s (connection presumed dead)`);
        this.client.stream?.destroy();
      });
    }, this.timeoutMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
