// The Watch panel's data, apart from the DOM so it is unit-tested in Node: the rows received so far as
// uPlot's aligned columns (x in seconds; null breaks a line at a gap, undefined means "this field was not in
// that reading" and the line joins across it), bounded to the host's per-series capacity. Pausing freezes
// what is drawn; rows keep arriving and the plot catches up on resume.
import type { WatchRow } from './protocol.js';

export type AlignedData = [number[], ...(number | null | undefined)[][]];

export class PlotState {
  readonly names: string[] = [];
  private times: number[] = [];
  private columns: (number | null | undefined)[][] = [];
  texts: [string, string][] = [];
  samples = 0;
  paused = false;
  /** Set when a field appeared: the chart must be rebuilt with one more series. */
  namesChanged = false;

  constructor(private capacity: number) {}

  reset(rows: readonly WatchRow[], capacity: number): void {
    this.capacity = Math.max(2, capacity);
    this.names.length = 0;
    this.times = [];
    this.columns = [];
    this.namesChanged = true;
    this.append(rows);
  }

  append(rows: readonly WatchRow[]): void {
    for (const row of rows) {
      for (const name of Object.keys(row.values)) {
        if (this.names.includes(name)) continue;
        this.names.push(name);
        this.columns.push(this.times.map(() => undefined));
        this.namesChanged = true;
      }
      this.times.push(row.t / 1000);
      this.names.forEach((name, i) => this.columns[i]!.push(row.values[name]));
    }
    const excess = this.times.length - this.capacity;
    if (excess > 0) {
      this.times.splice(0, excess);
      for (const c of this.columns) c.splice(0, excess);
    }
  }

  get length(): number {
    return this.times.length;
  }

  data(): AlignedData {
    return [this.times, ...this.columns];
  }

  /** The numbers of one field, gaps and absences left out (what the panel reports in data attributes). */
  numbersOf(name: string): number[] {
    const column = this.columns[this.names.indexOf(name)] ?? [];
    return column.filter((v): v is number => typeof v === 'number');
  }

  /** Whether the last reading of every field was a gap (the device stopped answering). */
  get inGap(): boolean {
    return this.columns.length > 0 && this.columns.every((c) => c[c.length - 1] === null);
  }
}
