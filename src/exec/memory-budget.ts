import { CancelledError } from '../errors.js';
import { waitInLine } from './wait-in-line.js';

/** Memory a task holds while it runs; `resize` when its real size is known (its output arrived), `release` once downstream. */
export interface MemoryReservation {
  resize(bytes: number): void;
  release(): void;
}

/**
 * The job's memory budget: everything the job holds counts against it — blocks in the queues
 * between operators, blocks an operator has taken in but not yet bundled into a task, and each
 * task in flight (its input, the copy a worker or an actor holds, an encoder's buffers, its
 * output until it is downstream). A task starts only when its reservation fits; an operator with
 * no task in flight always gets one, so that a block larger than the budget, or a full budget,
 * slows the job down instead of stopping it. So the job holds at most the budget plus one task
 * per operator. Waiting tasks are served first come, first served.
 */
export class MemoryBudget {
  private held = 0;
  /** Highest number of bytes held at any moment of the job. */
  peak = 0;
  private readonly reservationsOf = new Map<object, number>();
  private readonly waiting: Array<{ bytes: number; holder: object; grant: (reservation: MemoryReservation) => void }> = [];

  constructor(readonly budget: number) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Counts bytes taken (positive) or let go (negative) outside reservations: queued blocks, blocks being bundled. */
  track = (delta: number): void => {
    this.held += delta;
    if (this.held > this.peak) this.peak = this.held;
    if (delta < 0) this.grantWaiting();
  };

  /** Holds `bytes` for a task of `holder` (its operator) once they fit, or at once when the holder has none in flight. */
  reserve(bytes: number, holder: object, signal: AbortSignal): Promise<MemoryReservation> {
    if (signal.aborted) return Promise.reject(new CancelledError());
    // An operator with nothing in flight does not queue: behind others' large requests it could wait for its own downstream.
    if (this.alone(holder) || (this.waiting.length === 0 && this.fits(bytes, holder))) return Promise.resolve(this.hold(bytes, holder));
    // Held when granted, not when the awaiting task resumes: the next waiter is weighed against it.
    return waitInLine(this.waiting, (grant: (reservation: MemoryReservation) => void) => ({ bytes, holder, grant }), signal);
  }

  private fits(bytes: number, holder: object): boolean {
    return this.held + bytes <= this.budget || this.alone(holder);
  }

  private alone(holder: object): boolean {
    return (this.reservationsOf.get(holder) ?? 0) === 0;
  }

  private hold(bytes: number, holder: object): MemoryReservation {
    let size = bytes;
    let released = false;
    this.reservationsOf.set(holder, (this.reservationsOf.get(holder) ?? 0) + 1);
    this.track(size);
    return {
      resize: (next) => {
        if (released) return;
        this.track(next - size);
        size = next;
      },
      release: () => {
        if (released) return;
        released = true;
        this.reservationsOf.set(holder, this.reservationsOf.get(holder)! - 1);
        this.track(-size);
      },
    };
  }

  private grant(entry: { bytes: number; holder: object; grant: (reservation: MemoryReservation) => void }): void {
    entry.grant(this.hold(entry.bytes, entry.holder));
  }

  /** Grants waiting reservations in order while they fit; one that does not fit holds back those behind it. */
  private grantWaiting(): void {
    while (this.waiting.length > 0) {
      const first = this.waiting[0];
      if (!this.fits(first.bytes, first.holder)) {
        // An operator with nothing in flight must not wait behind another's large request (that would stop the job).
        const alone = this.waiting.findIndex((w) => this.alone(w.holder));
        if (alone < 0) return;
        this.grant(this.waiting.splice(alone, 1)[0]);
        continue;
      }
      this.grant(this.waiting.shift()!);
    }
  }
}
