import type { Readable } from 'node:stream';
import type { IdleWatchdog } from './idle-watchdog.js';

const ignore = () => undefined;

/** What a pipe reader needs of its process. */
export interface PipeOwner {
  readonly watchdog: IdleWatchdog;
  /** Calls the listener with the reason the process was stopped (abort, idle timeout); returns an unsubscribe. */
  onStop(listener: (reason: unknown) => void): () => void;
  /** What to throw once the pipe has ended, when the process was stopped or never started; null otherwise. */
  endError(): { readonly error: unknown } | null;
}

/**
 * The chunks of one output pipe of a tool process, counted by the process's idle clock: it
 * waits while a next() is pending and holds a chunk between them. Not an async generator, so
 * that return() works at once even while a next() is pending (a generator would queue it behind
 * that read): it drops the pipe, which settles the pending read.
 */
export class PipeReader implements AsyncIterableIterator<Buffer, undefined> {
  private readonly chunks: AsyncIterator<Buffer>;
  private registered = false;
  private waiting = false;
  private finished = false;

  constructor(
    private readonly stream: Readable,
    private readonly owner: PipeOwner,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.finished) return { done: true, value: undefined };
    // Registered on the first read: a reader made but never read from does not stop the clock.
    if (!this.registered) {
      this.registered = true;
      this.owner.watchdog.addReader();
    }
    const pending = this.chunks.next();
    // When the stop wins the race, or return() drops the pipe, this read settles later with nobody awaiting it.
    pending.catch(ignore);
    this.setWaiting(true);
    let result: IteratorResult<Buffer>;
    try {
      result = await new Promise<IteratorResult<Buffer>>((resolve, reject) => {
        const off = this.owner.onStop(reject);
        pending.then(
          (value) => {
            off();
            resolve(value);
          },
          (error: Error) => {
            off();
            reject(error);
          },
        );
      });
    } catch (error) {
      if (this.finished) return { done: true, value: undefined };
      this.finish();
      throw error;
    } finally {
      this.setWaiting(false);
    }
    // return() was called while this read was pending.
    if (this.finished) return { done: true, value: undefined };
    if (result.done === true) {
      this.finish();
      const end = this.owner.endError();
      if (end !== null) throw end.error;
      return { done: true, value: undefined };
    }
    return { done: false, value: result.value };
  }

  /** The consumer stopped: the pipe is dropped (the process gets EPIPE if it writes on), and a pending next() ends. */
  return(): Promise<IteratorResult<Buffer, undefined>> {
    if (!this.finished) {
      this.finish();
      this.stream.destroy();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  private setWaiting(waiting: boolean): void {
    if (this.finished || this.waiting === waiting) return;
    this.waiting = waiting;
    this.owner.watchdog.setWaiting(waiting);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.registered) this.owner.watchdog.removeReader(this.waiting);
    this.waiting = false;
  }
}
