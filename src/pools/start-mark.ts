/**
 * When a worker thread began something, in 16 bytes of shared memory that the main thread reads
 * without a message: what began (a thread id, an actor's call id; never 0) and when (epoch ms).
 * It tells a task that runs from one still queued, for the stuck-task watch. Unwritten, it reads null.
 */
export function newStartMark(): SharedArrayBuffer {
  return new SharedArrayBuffer(16);
}

/** Written by the worker as the thing begins. */
export function writeStart(mark: SharedArrayBuffer, what: number): void {
  new Float64Array(mark, 8, 1)[0] = Date.now();
  // Stored last, and atomically: a reader that sees `what` sees its time.
  Atomics.store(new Int32Array(mark, 0, 1), 0, what);
}

/** Read on the main thread: the last start written, or null while none was. */
export function readStart(mark: SharedArrayBuffer): { readonly what: number; readonly at: number } | null {
  const what = Atomics.load(new Int32Array(mark, 0, 1), 0);
  return what === 0 ? null : { what, at: new Float64Array(mark, 8, 1)[0] };
}
