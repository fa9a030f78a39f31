import { CancelledError } from '../errors.js';
import { onAbort } from '../tasks/on-abort.js';

/**
 * Joins a line of waiters: `waiting` gets an entry made by `entry(grant)`; whoever serves the
 * line calls `grant` with what it gives. An abort takes the entry out of the line and rejects
 * with a CancelledError.
 */
export function waitInLine<E, T>(waiting: E[], entry: (grant: (value: T) => void) => E, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let forget: () => void = () => {};
    const waiter = entry((value) => {
      forget();
      resolve(value);
    });
    waiting.push(waiter);
    forget = onAbort(signal, () => {
      const index = waiting.indexOf(waiter);
      if (index >= 0) waiting.splice(index, 1);
      reject(new CancelledError());
    });
  });
}
