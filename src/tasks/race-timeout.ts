import { onAbort } from './on-abort.js';

/** `promise`'s value, or 'timeout' once `ms` have passed first (Infinity: no limit). */
export async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  if (ms === Infinity) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, ms))));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `run` with a signal that aborts when `parent` does or once `ms` have passed (counted from
 * when `startsWhen` resolves: a task that waits its turn is not yet using its time); resolves
 * to 'timeout' when the time ran out first (whatever `run` then settled with). A plain timer,
 * not AbortSignal.timeout: Node may collect a timeout signal that only AbortSignal.any refers
 * to, and its timer with it, so the deadline would never come.
 */
export async function withDeadline<T>(
  ms: number,
  parent: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
  startsWhen?: Promise<unknown>,
): Promise<T | 'timeout'> {
  const controller = new AbortController();
  let expired = false;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (!done)
      timer = setTimeout(() => {
        expired = true;
        controller.abort();
      }, ms);
  };
  if (startsWhen === undefined) arm();
  else void startsWhen.then(arm);
  const forget = onAbort(parent, () => controller.abort());
  try {
    return await run(controller.signal);
  } catch (error) {
    if (expired && !parent.aborted) return 'timeout';
    throw error;
  } finally {
    done = true;
    clearTimeout(timer);
    forget();
  }
}
