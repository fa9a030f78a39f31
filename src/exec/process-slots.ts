import { waitInLine } from './wait-in-line.js';

/**
 * CPU slots shared by the concurrent jobs of the process that have the same `cpus` setting:
 * together they run at most that many task-pool tasks at once, as they share one task pool
 * (pools/task-pool.ts). A job's own ResourceManager still shares its slots between its tasks
 * and its actors; a task holds a slot here only while it runs, so no job waits on another's
 * long-lived holder (an actor), and concurrent jobs cannot stop each other.
 */
export class ProcessSlots {
  private free: number;
  private readonly waiting: Array<{ cpus: number; grant: (value: void) => void }> = [];

  constructor(readonly cpus: number) {
    this.free = cpus;
  }

  acquire(cpus: number, signal: AbortSignal): Promise<void> {
    if (this.tryAcquire(cpus)) return Promise.resolve();
    return waitInLine(this.waiting, (grant: (value: void) => void) => ({ cpus: Math.min(cpus, this.cpus), grant }), signal);
  }

  /** The slots now if they are free and no one waits for slots: true when taken. */
  tryAcquire(cpus: number): boolean {
    // A task wider than the process's slots still runs, alone (the job checked it against its own cpus).
    const wanted = Math.min(cpus, this.cpus);
    if (this.waiting.length > 0 || this.free < wanted) return false;
    this.free -= wanted;
    return true;
  }

  /** Someone waits for slots. */
  get wanted(): boolean {
    return this.waiting.length > 0;
  }

  release(cpus: number): void {
    this.free += Math.min(cpus, this.cpus);
    while (this.waiting.length > 0 && this.free >= this.waiting[0].cpus) {
      const next = this.waiting.shift()!;
      this.free -= next.cpus;
      next.grant();
    }
  }
}

const byCpus = new Map<number, ProcessSlots>();

/** The process's slots for jobs of `cpus` CPUs. */
export function processSlots(cpus: number): ProcessSlots {
  let slots = byCpus.get(cpus);
  if (!slots) byCpus.set(cpus, (slots = new ProcessSlots(cpus)));
  return slots;
}
