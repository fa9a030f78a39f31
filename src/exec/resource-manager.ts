import { CancelledError } from '../errors.js';

/**
 * The job's resources: CPU slots shared by every task-pool operator (a task holds
 * `numCpus` slots while it runs, so operators together never over-commit the machine) and
 * the memory budget, split among the queues between operators.
 */
export class ResourceManager {
  private freeCpus: number;
  private readonly waiting: Array<{ cpus: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private inFlightBytes = 0;
  /** Highest number of bytes queued between operators at any moment of the job. */
  peakQueuedBytes = 0;

  constructor(
    readonly cpus: number,
    readonly memoryBudget: number,
  ) {
    this.freeCpus = cpus;
  }

  /** Bytes each of `queues` queues may hold so that together they stay within the budget. */
  queueCapacity(queues: number): number {
    return Math.max(1, Math.floor(this.memoryBudget / Math.max(1, queues)));
  }

  trackQueuedBytes = (delta: number): void => {
    this.inFlightBytes += delta;
    if (this.inFlightBytes > this.peakQueuedBytes) this.peakQueuedBytes = this.inFlightBytes;
  };

  get queuedBytes(): number {
    return this.inFlightBytes;
  }

  async acquireCpus(cpus: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new CancelledError();
    if (this.waiting.length === 0 && this.freeCpus >= cpus) {
      this.freeCpus -= cpus;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new CancelledError());
      };
      const entry = {
        cpus,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      this.waiting.push(entry);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  releaseCpus(cpus: number): void {
    this.freeCpus += cpus;
    while (this.waiting.length > 0 && this.freeCpus >= this.waiting[0].cpus) {
      const next = this.waiting.shift()!;
      this.freeCpus -= next.cpus;
      next.resolve();
    }
  }
}
