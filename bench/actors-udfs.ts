/** The actor class of bench/actors, in a module of its own so that actors importing it run no job. */
import { getActorContext, udf } from '../src/index.js';

export interface CallTiming {
  actor: number;
  /** Wall-clock ms (comparable across threads) when the call started and ended. */
  start: number;
  end: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

/** Stands in for a model: `ms` of waiting per batch (a GPU call the thread waits on); one row of timings per batch. */
export class SleepyModel {
  constructor(private readonly ms: number) {}

  async call(batch: { id: number }[]): Promise<CallTiming[]> {
    const start = wallNow();
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    return batch.length > 0 ? [{ actor: getActorContext()!.actorIndex, start, end: wallNow() }] : [];
  }
}
export const sleepyModel = udf(import.meta.url, SleepyModel);
