import { CancelledError } from '../errors.js';
import { onAbort } from '../tasks/on-abort.js';

/** A promise's value, or a CancelledError as soon as `signal` aborts: the promise is then no longer awaited. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  let forget: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    forget = onAbort(signal, () => reject(new CancelledError()));
  });
  return Promise.race([promise, aborted]).finally(forget);
}
