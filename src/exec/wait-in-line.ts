import { CancelledError } from '../errors.js';

/**
 * Joins a line of waiters: `waiting` gets an entry made by `entry(grant)`; whoever serves the
 * line calls `grant` with what it gives. An abort takes the entry out of the line and rejects
 * with a CancelledError.
 */
export function waitInLine<E, T>(waiting: E[], entry: (grant: (value: T) => void) => E, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const index = waiting.indexOf(waiter);
      if (index >= 0) waiting.splice(index, 1);
      reject(new CancelledError());
    };
    const waiter = entry((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
    waiting.push(waiter);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
