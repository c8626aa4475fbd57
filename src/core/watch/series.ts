// Time series of a watched resource with bounded memory: a ring of samples per field, and gaps where the
// watch was interrupted (device offline, session ended) so a plot does not draw a line across them.

export interface Point {
  t: number;
  /** NaN marks a gap. */
  v: number;
}

export class Series {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`series capacity must be an integer ≥ 2, got ${capacity}`);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(t: number, v: number): void {
    const at = (this.start + this.count) % this.capacity;
    this.times[at] = t;
    this.values[at] = v;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  gap(t: number): void {
    if (this.count && Number.isNaN(this.values[(this.start + this.count - 1) % this.capacity])) return;
    this.push(t, Number.NaN);
  }

  points(): Point[] {
    const out: Point[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % this.capacity;
      out.push({ t: this.times[at]!, v: this.values[at]! });
    }
    return out;
  }

  last(): Point | undefined {
    if (!this.count) return undefined;
    const at = (this.start + this.count - 1) % this.capacity;
    return { t: this.times[at]!, v: this.values[at]! };
  }
}
