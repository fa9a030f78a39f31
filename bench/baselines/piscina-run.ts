/**
 * The hand-written piscina baseline: a pool of one thread per core (piscina's defaults
 * otherwise), every task of `rowsPerTask` rows submitted at once (pipelined), outputs
 * collected. Like a script, it starts its pool once and runs its jobs on it.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { RangeTask } from './piscina-worker.js';

export class PiscinaBaseline {
  private readonly pool: Piscina;

  constructor(threads = os.availableParallelism()) {
    this.pool = new Piscina({
      filename: new URL('./piscina-worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
    });
  }

  /** Runs rows [0, rows) in tasks of `rowsPerTask`; returns the sum of the outputs. */
  async run(rows: number, iters: number, rowsPerTask: number): Promise<number> {
    const tasks: Promise<Uint32Array>[] = [];
    for (let start = 0; start < rows; start += rowsPerTask) {
      const task: RangeTask = { start, end: Math.min(rows, start + rowsPerTask), iters };
      tasks.push(this.pool.run(task) as Promise<Uint32Array>);
    }
    let sum = 0;
    for (const out of await Promise.all(tasks)) for (let i = 0; i < out.length; i++) sum += out[i];
    return sum;
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
