// `--timeout` as a bound on a whole command: every step (connect, presence snapshot, initialize, the call)
// gets what is left of it, and the step that ran out is named in the error.
import { CommandError } from './args.js';

export class Deadline {
  private readonly end: number;

  constructor(readonly totalMs: number) {
    this.end = Date.now() + totalMs;
  }

  /** Milliseconds left (at least 1, so it can be passed on as a timeout). */
  remaining(): number {
    return Math.max(1, this.end - Date.now());
  }

  /** `work`, or a CommandError naming `step` if the deadline passes first. */
  run<T>(step: string, work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommandError(`timed out after ${this.totalMs} ms (--timeout) while ${step}`)), this.remaining());
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }
}
