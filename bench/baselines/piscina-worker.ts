/**
 * The hand-written piscina baseline's worker: one task is a range of row ids [start, end);
 * it answers the work's output per row.
 */
import { work } from '../work.js';

export interface RangeTask {
  readonly start: number;
  readonly end: number;
  readonly iters: number;
}

export default function runRange({ start, end, iters }: RangeTask): Uint32Array {
  const out = new Uint32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = work(i, iters);
  return out;
}
