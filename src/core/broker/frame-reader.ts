// Splits the socket byte stream into whole MQTT packets before they reach the codec, so an oversized packet
// is refused from its fixed header alone instead of being buffered in full first.

export type FrameEvent =
  | { kind: 'frame'; bytes: Buffer }
  | { kind: 'too-large'; size: number }
  | { kind: 'malformed' };

/** Fixed header of the packet starting at `offset`: its own length and the remaining length, or why it cannot be read yet. */
function readFixedHeader(buf: Buffer, offset: number): { headerLength: number; remainingLength: number } | 'incomplete' | 'malformed' {
  let remainingLength = 0;
  let multiplier = 1;
  // Byte 0 is the packet type; bytes 1..4 are the variable byte integer remaining length (MQTT 5 §1.5.5).
  for (let i = 1; i <= 4; i++) {
    if (offset + i >= buf.length) return 'incomplete';
    const byte = buf[offset + i] as number;
    remainingLength += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { headerLength: i + 1, remainingLength };
    multiplier *= 128;
  }
  return 'malformed';
}

export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the packet being collected once its header is known, so chunks are joined only once it is complete. */
  private awaitedBytes = 0;
  private stopped = false;

  constructor(
    private readonly maxPacketSize: number,
    private readonly emit: (event: FrameEvent) => void,
  ) {}

  /** Stops emitting: used once the connection is ending, so bytes still in the buffer are ignored. */
  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.awaitedBytes) return;
    const buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.awaitedBytes = 0;

    let offset = 0;
    while (offset < buf.length && !this.stopped) {
      const header = readFixedHeader(buf, offset);
      if (header === 'incomplete') break;
      if (header === 'malformed') {
        this.emit({ kind: 'malformed' });
        return;
      }
      const size = header.headerLength + header.remainingLength;
      if (size > this.maxPacketSize) {
        this.emit({ kind: 'too-large', size });
        return;
      }
      if (buf.length - offset < size) {
        this.awaitedBytes = size;
        break;
      }
      this.emit({ kind: 'frame', bytes: buf.subarray(offset, offset + size) });
      offset += size;
    }
    if (offset < buf.length && !this.stopped) {
      this.pending.push(buf.subarray(offset));
      this.pendingBytes = buf.length - offset;
    }
  }
}
