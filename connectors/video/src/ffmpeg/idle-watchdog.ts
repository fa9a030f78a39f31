/**
 * The idle clock of one tool process. It runs only while every registered reader is waiting
 * for data: a reader that holds a chunk (its consumer is busy, or blocked downstream) stops it,
 * so a downstream pause is never taken for a hang. It starts again from zero each time all the
 * readers wait again, which is also after any chunk on any pipe.
 */
export class IdleWatchdog {
  private readers = 0;
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When output last came (performance.now()): a flowing reader's chunks restart the clock without a timer each. */
  private lastOutput = 0;

  constructor(
    private readonly timeoutMs: number | undefined,
    private readonly onIdle: () => void,
  ) {}

  /** A new reader, holding nothing yet (it waits once it asks for data). */
  addReader(): void {
    this.readers++;
    this.update();
  }

  removeReader(wasWaiting: boolean): void {
    this.readers--;
    if (wasWaiting) this.waiting--;
    this.update();
  }

  /** A reader starts waiting for its next chunk (true) or got one and holds it (false). */
  setWaiting(waiting: boolean): void {
    this.waiting += waiting ? 1 : -1;
    this.update();
  }

  /** Output came: the clock starts again from zero. */
  touch(): void {
    this.lastOutput = performance.now();
  }

  /** The process is gone: the clock never runs again. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private update(): void {
    const idle = !this.stopped && this.timeoutMs !== undefined && this.readers > 0 && this.waiting === this.readers;
    if (!idle) return this.clear();
    if (this.timer !== undefined) return;
    this.lastOutput = performance.now();
    this.arm(this.timeoutMs);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Output since the clock started (a flowing reader's chunks): it runs on from the last.
      const quiet = performance.now() - this.lastOutput;
      if (quiet < this.timeoutMs!) return this.arm(this.timeoutMs! - quiet);
      this.stopped = true;
      this.onIdle();
    }, ms);
    // The clock alone does not keep the process up: the child's pipes do while it runs.
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
