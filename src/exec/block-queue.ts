import { CancelledError } from '../errors.js';
import type { Block } from '../blocks/block.js';
import { blockBytes } from '../blocks/block.js';

/**
 * A bounded queue of blocks between two operators, measured in bytes. A producer waits in
 * `put` while the queue holds `capacity` bytes (an empty queue always takes one block, so a
 * block larger than the capacity cannot deadlock). Errors flow downstream (`fail`),
 * cancellation flows upstream (`cancel`).
 */
export class BlockQueue {
  private readonly items: Block[] = [];
  private bytes = 0;
  private closed = false;
  private cancelled = false;
  private failure: { readonly error: unknown } | null = null;
  private readonly getters: Array<() => void> = [];
  private readonly putters: Array<() => void> = [];
  private readonly cancelListeners: Array<() => void> = [];
  /** Milliseconds producers spent waiting for room. */
  blockedMs = 0;

  constructor(
    readonly capacity: number,
    private readonly onBytesChange: (delta: number) => void = () => {},
  ) {}

  get queuedBytes(): number {
    return this.bytes;
  }

  get queuedBlocks(): number {
    return this.items.length;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  async put(block: Block): Promise<void> {
    const size = blockBytes(block);
    if (this.items.length > 0 && this.bytes + size > this.capacity && !this.cancelled) {
      const started = performance.now();
      while (this.items.length > 0 && this.bytes + size > this.capacity && !this.cancelled) {
        await new Promise<void>((resolve) => this.putters.push(resolve));
      }
      this.blockedMs += performance.now() - started;
    }
    if (this.cancelled) throw new CancelledError();
    this.items.push(block);
    this.bytes += size;
    this.onBytesChange(size);
    this.wake(this.getters);
  }

  /** The next block, or null at the end of the stream (or once cancelled). */
  async get(): Promise<Block | null> {
    while (this.items.length === 0) {
      if (this.failure !== null) throw this.failure.error;
      if (this.closed || this.cancelled) return null;
      await new Promise<void>((resolve) => this.getters.push(resolve));
    }
    const block = this.items.shift()!;
    const size = blockBytes(block);
    this.bytes -= size;
    this.onBytesChange(-size);
    this.wake(this.putters);
    return block;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Block> {
    for (let block = await this.get(); block !== null; block = await this.get()) yield block;
  }

  /** The producer is done: readers drain what is left, then see the end. */
  close(): void {
    this.closed = true;
    this.wake(this.getters);
  }

  /** The producer failed: readers see the error once the queue is drained. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.close();
  }

  /** The consumer wants no more: drop what is queued, wake and refuse producers. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.onBytesChange(-this.bytes);
    this.items.length = 0;
    this.bytes = 0;
    this.wake(this.putters);
    this.wake(this.getters);
    for (const listener of this.cancelListeners.splice(0)) listener();
  }

  onCancel(listener: () => void): void {
    if (this.cancelled) listener();
    else this.cancelListeners.push(listener);
  }

  private wake(waiters: Array<() => void>): void {
    for (const resolve of waiters.splice(0)) resolve();
  }
}
