import type { Block } from '../blocks/block.js';

interface Waiting {
  readonly block: Block;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Emits task results downstream one at a time: in task order under preserveOrder (a result
 * waits for the ones before it), else in the order tasks finish. `emit` resolves only once
 * that block is downstream, so a caller that bounds its unresolved emits bounds memory.
 */
export class OrderedEmitter {
  private readonly waiting = new Map<number, Waiting>();
  private next = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly preserveOrder: boolean,
    private readonly put: (block: Block) => Promise<void>,
  ) {}

  emit(index: number, block: Block): Promise<void> {
    if (!this.preserveOrder) return this.enqueue(() => this.put(block));
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(index, { block, resolve, reject });
      this.enqueue(() => this.flush()).catch(() => {});
    });
  }

  /** Rejects every result still waiting for its turn (the operator is stopping). */
  abandon(error: unknown): void {
    for (const entry of this.waiting.values()) entry.reject(error);
    this.waiting.clear();
  }

  private async flush(): Promise<void> {
    while (this.waiting.has(this.next)) {
      const entry = this.waiting.get(this.next)!;
      this.waiting.delete(this.next);
      this.next++;
      try {
        await this.put(entry.block);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
        this.abandon(error);
        throw error;
      }
    }
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch(() => {});
    return run;
  }
}
