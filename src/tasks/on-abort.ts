/** Waiters per signal, behind the one listener each signal gets here. */
const waiters = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts, or at once if it has; returns the function that
 * forgets it. Code that waits per task registers here rather than on the signal: node's
 * AbortSignal walks its list of listeners on each addEventListener and removeEventListener, and
 * a job's signal holds one per task in flight (tens), which made that walk a measurable share of
 * the main thread's work per batch. Here a signal has one listener, and a waiter is a Set entry.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let callbacks = waiters.get(signal);
  if (callbacks === undefined) {
    const all = new Set<() => void>();
    waiters.set(signal, all);
    signal.addEventListener(
      'abort',
      () => {
        waiters.delete(signal);
        for (const call of all) call();
      },
      { once: true },
    );
    callbacks = all;
  }
  // A wrapper of its own: one function registered twice is called twice, and each registration forgotten alone.
  const entry = () => callback();
  callbacks.add(entry);
  return () => callbacks.delete(entry);
}
