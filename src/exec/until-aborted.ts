import { CancelledError } from '../errors.js';
import { onAbort } from '../tasks/on-abort.js';

/** A promise's value, or a CancelledError as soon as `signal` aborts: the promise is then no longer awaited. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  // One promise per call, not a race of two with a finally: every task of a job goes through here.
  return new Promise<T>((resolve, reject) => {
    const forget = onAbort(signal, () => reject(new CancelledError()));
    promise.then(resolve, reject);
    promise.then(forget, forget);
  });
}
