/**
 * When a worker thread began something, in 16 bytes of shared memory that the main thread reads
 * without a message: what began (a thread id, an actor's call id; never 0) and when (epoch ms).
 * It tells a task that runs from one still queued, for the stuck-task watch. Unwritten, it reads
 * null. A task's mark is also the race between its worker beginning it (`claimStart`) and the
 * main thread taking it back first (`withdrawStart`): exactly one of them wins.
 */
export function newStartMark(): SharedArrayBuffer {
  return new SharedArrayBuffer(16);
}

/** `what` of a mark the main thread withdrew: the task is not to begin. */
const WITHDRAWN = -1;

const cell = (mark: SharedArrayBuffer) => new Int32Array(mark, 0, 1);

/** Written by the worker as the thing begins (an actor's calls, one after another in one mark). */
export function writeStart(mark: SharedArrayBuffer, what: number): void {
  new Float64Array(mark, 8, 1)[0] = Date.now();
  // Stored last, and atomically: a reader that sees `what` sees its time.
  Atomics.store(cell(mark), 0, what);
}

/** A worker begins a task, unless the main thread withdrew it first: true when the task is the worker's to run. */
export function claimStart(mark: SharedArrayBuffer, what: number): boolean {
  new Float64Array(mark, 8, 1)[0] = Date.now();
  return Atomics.compareExchange(cell(mark), 0, 0, what) === 0;
}

/** The main thread takes back a task its worker has not begun: true when it did (the worker will not run it). */
export function withdrawStart(mark: SharedArrayBuffer): boolean {
  return Atomics.compareExchange(cell(mark), 0, 0, WITHDRAWN) === 0;
}

/** Read on the main thread: the last start written, or null while none was (or the task was withdrawn). */
export function readStart(mark: SharedArrayBuffer): { readonly what: number; readonly at: number } | null {
  const what = Atomics.load(cell(mark), 0);
  return what === 0 || what === WITHDRAWN ? null : { what, at: new Float64Array(mark, 8, 1)[0] };
}
