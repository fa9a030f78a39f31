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
    // A task wider than the process's slots still runs, alone (the job checked it against its own cpus).
    const wanted = Math.min(cpus, this.cpus);
    if (this.waiting.length === 0 && this.free >= wanted) {
      this.free -= wanted;
      return Promise.resolve();
    }
    return waitInLine(this.waiting, (grant: (value: void) => void) => ({ cpus: wanted, grant }), signal);
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
