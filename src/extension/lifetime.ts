// Owns what the composition root builds and takes it down in reverse order, awaiting each part: a part that
// publishes or closes something on the network (presence, ports) finishes before what it depends on goes.
// One failing part is logged and the rest still stop.
import type { Logger } from '../core/util/logger.js';

export interface AsyncDisposable {
  dispose(): unknown;
}

export class Lifetime {
  private readonly parts: { name: string; part: AsyncDisposable }[] = [];
  private disposing: Promise<void> | undefined;

  constructor(private readonly log: () => Logger | undefined) {}

  /** Registers a part for disposal and hands it back, so building and owning are one line. */
  own<T extends AsyncDisposable>(name: string, part: T): T {
    if (this.disposing) throw new Error(`${name} was built after shutdown began`);
    this.parts.push({ name, part });
    return part;
  }

  /** Idempotent: VS Code may call deactivate and dispose the subscriptions too. */
  dispose(): Promise<void> {
    this.disposing ??= this.disposeAll();
    return this.disposing;
  }

  private async disposeAll(): Promise<void> {
    for (const { name, part } of this.parts.splice(0).reverse()) {
      try {
        await part.dispose();
      } catch (e) {
        this.log()?.error(`stopping ${name} failed`, e);
      }
    }
  }
}
