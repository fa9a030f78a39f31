import { median } from './bench-utils.js';

/**
 * The benchmark's unit of CPU work, shared by every contender (sluice, hand-written piscina,
 * the sequential loop) so that they do exactly the same thing. Pure and deterministic: the
 * same (seed, iters) gives the same uint32 on any thread.
 */
export function work(seed: number, iters: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  let acc = 0;
  for (let i = 0; i < iters; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    h = (h ^ (h >>> 15)) >>> 0;
    acc += Math.sqrt(h);
  }
  return (h ^ (acc >>> 0)) >>> 0;
}

/** Loop count that makes one call of `work` take about `targetUs` on this machine (main thread, JIT warm). */
export function calibrate(targetUs: number): { iters: number; usPerCall: number } {
  let sink = 0;
  const timeCalls = (iters: number, calls: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) sink ^= work(i, iters);
    return ((performance.now() - t0) * 1000) / calls;
  };
  timeCalls(1000, 2000); // warm the JIT
  let iters = 1000;
  for (let round = 0; round < 3; round++) {
    const us = median([0, 1, 2, 3, 4].map(() => timeCalls(iters, 200)));
    iters = Math.max(1, Math.round((iters * targetUs) / us));
  }
  const usPerCall = median([0, 1, 2, 3, 4].map(() => timeCalls(iters, 200)));
  if (sink === 0.5) console.log(sink); // keeps the calls observable
  return { iters, usPerCall };
}

/**
 * Loop count per call. The main process calibrates it once and sets it in the environment
 * before any worker thread starts; workers inherit the environment, so every thread uses the
 * same count.
 */
export const ITERS_ENV = 'SLUICE_BENCH_WORK_ITERS';

let cachedIters = 0;

export function itersFromEnv(): number {
  if (cachedIters === 0) {
    const value = Number(process.env[ITERS_ENV]);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${ITERS_ENV} is not set to a positive whole number (got ${process.env[ITERS_ENV]})`);
    cachedIters = value;
  }
  return cachedIters;
}
