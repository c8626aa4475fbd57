// Finds a dead link the OS has not noticed: a blackholed TCP connection (a dead NAT, a pulled cable) sends
// no FIN or RST, so the socket looks open for minutes. Whenever the broker owes this connection an answer
// (PINGRESP, PUBACK, SUBACK, UNSUBACK) and stays silent for `timeoutMs`, the stream is destroyed, which the
// connection reports as lost (sessions fail at once, reconnecting starts).
//
// This runs for every packet of every tool call, so it only counts and notes times: one timer is armed when
// the broker starts to owe something and, when it fires, works out whether the silence really lasted
// `timeoutMs` (re-arming for the rest if not). Arming and clearing a timer per packet cost more than the rest.
import type { Socket } from 'node:net';
import type { MqttClient, Packet } from 'mqtt';

/** MQTT packets after which the broker owes us one, and the packets that pay it. */
const ANSWERED_PACKETS = new Set(['pingreq', 'publish', 'subscribe', 'unsubscribe']);
const ANSWER_PACKETS = new Set(['pingresp', 'puback', 'pubrec', 'suback', 'unsuback']);

export class SilenceWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastReceivedAt = 0;
  /** Answers the broker owes (sent PUBLISH QoS 1, SUBSCRIBE, UNSUBSCRIBE, PINGREQ minus their acknowledgements). */
  private owed = 0;
  /** When `owed` last went from 0 to 1. */
  private owedSince = 0;

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
    if (this.owed++ === 0) this.owedSince = performance.now();
    if (!this.timer && this.active()) this.arm(this.timeoutMs);
  }

  /** The connection calls this from its one 'packetreceive' listener. */
  received(packet: Packet): void {
    this.lastReceivedAt = performance.now();
    if (this.owed > 0 && ANSWER_PACKETS.has(packet.cmd)) this.owed--;
  }

  /** The socket closed: nothing is owed on the next one until it is sent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.owed = 0;
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
    if (this.owed === 0 || !this.active()) return;
    // Silence starts at the last packet received, or later, when the broker began to owe something again.
    const silentSince = Math.max(this.lastReceivedAt, this.owedSince);
    const left = silentSince + this.timeoutMs - performance.now();
    if (left > 0) return this.arm(left);
    // Our own large upload still leaving on a slow link: the broker cannot answer before it has it all.
    if (((this.client.stream as Partial<Socket> | undefined)?.writableLength ?? 0) > 0) return this.arm(this.timeoutMs);
    this.onDead(`the broker did not answer for ${Math.round(this.timeoutMs / 1000)} s (connection presumed dead)`);
    this.client.stream?.destroy();
  }
}
