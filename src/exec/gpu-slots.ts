/** Shares of a GPU are counted in whole units, so that 0.1 + 0.2 of a GPU adds up exactly. */
const UNITS_PER_GPU = 10_000;

const unitsOf = (numGpus: number) => Math.round(numGpus * UNITS_PER_GPU);

/**
 * The free capacity of each GPU. A fraction of a GPU goes to the fullest GPU that still has
 * room for it (best fit), so fractional actors pack onto as few GPUs as possible and whole
 * GPUs stay free for actors that need them whole; `numGpus` >= 1 takes that many whole GPUs.
 */
export class GpuSlots {
  private readonly free: Map<number, number>;

  constructor(readonly ids: readonly number[]) {
    this.free = new Map(ids.map((id) => [id, UNITS_PER_GPU]));
  }

  /** The GPU ids given for `numGpus`, or null when they are not free now. */
  take(numGpus: number): number[] | null {
    if (numGpus === 0) return [];
    if (numGpus >= 1) {
      const whole = this.ids.filter((id) => this.free.get(id) === UNITS_PER_GPU).slice(0, numGpus);
      if (whole.length < numGpus) return null;
      for (const id of whole) this.free.set(id, 0);
      return whole;
    }
    const units = unitsOf(numGpus);
    let best: number | null = null;
    for (const id of this.ids) {
      const left = this.free.get(id)!;
      if (left >= units && (best === null || left < this.free.get(best)!)) best = id;
    }
    if (best === null) return null;
    this.free.set(best, this.free.get(best)! - units);
    return [best];
  }

  give(ids: readonly number[], numGpus: number): void {
    const units = numGpus >= 1 ? UNITS_PER_GPU : unitsOf(numGpus);
    for (const id of ids) this.free.set(id, this.free.get(id)! + units);
  }
}
