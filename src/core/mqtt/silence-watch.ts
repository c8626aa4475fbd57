// Finds a dead link the OS has not noticed: a blackholed TCP connection (a dead NAT, a pulled cable) sends
// no FIN or RST, so the socket looks open for minutes. Whenever the broker owes this connection an answer
// (PINGRESP, PUBACK, SUBACK, UNSUBACK) and stays silent for `timeoutMs`, the stream is destroyed, which the
// connection reports as lost (sessions fail at once, reconnecting starts).
//
// This runs for every packet of every tool call, so it only notes times: one timer is armed when the broker
// starts to owe something and, when it fires, works out whether the silence really lasted `timeoutMs`
// (re-arming for the rest if not). Arming and clearing a timer per packet cost more than the rest of it.
import type { Socket } from 'node:net';
import type { MqttClient, Packet } from 'mqtt';

/** MQTT packets after which the broker owes us one. */
const ANSWERED_PACKETS = new Set(['pingreq', 'publish', 'subscribe', 'unsubscribe']);

export class SilenceWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastReceivedAt = 0;
  /** When the first owed packet after the last received one was sent; 0 when none was. */
  private owedSince = 0;
  private pingOwed = false;

  constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
    private readonly active: () => boolean,
    private readonly onDead: (reason: string) => void,
  ) {}

  /** The connection calls this from its one 'packetsend' listener. */
  sent(packet: Packet): void {
    const cmd = packet.cmd;
    if (!ANSWERED_PACKETS.has(cmd) || (cmd === 'publish' && ((packet as { qos?: number }).qos ?? 0) === 0)) return;
    if (cmd === 'pingreq') this.pingOwed = true;
    if (this.owedSince === 0) this.owedSince = performance.now();
    if (!this.timer && this.active()) this.arm(this.timeoutMs);
  }

  /** The connection calls this from its one 'packetreceive' listener. */
  received(packet: Packet): void {
    this.lastReceivedAt = performance.now();
    this.owedSince = 0;
    if (packet.cmd === 'pingresp') this.pingOwed = false;
  }

  /** The socket closed: nothing is owed on the next one until it is sent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.owedSince = 0;
    this.pingOwed = false;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      // A busy event loop fires timers before reading sockets: give data that is already there a chance first.
      setImmediate(() => this.check());
    }, delayMs);
    this.timer.unref?.();
  }

  private check(): void {
    this.timer = undefined;
    // Still owed something (a PUBACK, a SUBACK, a PINGRESP)? MQTT.js keeps an entry per unanswered packet id.
    const owed = this.pingOwed || Object.keys(this.client.outgoing).length > 0;
    if (!owed || !this.active()) {
      this.owedSince = 0;
      return;
    }
    // Silence starts at the last packet received, or at the first owed packet sent after it.
    const silentSince = this.owedSince || this.lastReceivedAt;
    const left = silentSince + this.timeoutMs - performance.now();
    if (left > 0) return this.arm(left);
    // Our own large upload still leaving on a slow link: the broker cannot answer before it has it all.
    if (((this.client.stream as Partial<Socket> | undefined)?.writableLength ?? 0) > 0) return this.arm(this.timeoutMs);
    this.onDead(`the broker did not answer for ${Math.round(this.timeoutMs / 1000)} s (connection presumed dead)`);
    this.client.stream?.destroy();
  }
}
