/**
 * Whether this thread is one of sluice's pool workers. Set by the worker entry before it
 * imports any user module, read by the executor: a job started while a worker imports a
 * user script (whose top level runs the job) must not start pools of its own.
 */
const WORKER_KEY = Symbol.for('sluice.insideWorker');

export function markSluiceWorker(): void {
  (globalThis as unknown as Record<symbol, boolean>)[WORKER_KEY] = true;
}

export function insideSluiceWorker(): boolean {
  return (globalThis as unknown as Record<symbol, boolean | undefined>)[WORKER_KEY] === true;
}
