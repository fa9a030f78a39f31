import { moduleBlockedAtJob } from './udf-registry.js';

/**
 * A job started inside a worker. Workers find a UDF by importing the module that exports it;
 * when that module is a user script that also runs a job at its top level, the import
 * reaches the job inside the worker. That job must not run there (it would start pools of
 * its own), and the script's evaluation must not go on past it, so the job waits forever
 * (`parkJobInWorker`): the import never finishes. What makes this work, in one list:
 * - the worker entries call `markSluiceWorker()` before they import any user module;
 * - the UDF registry (udf-registry.ts) finds functions that `udf()` registered before the job
 *   without waiting for the import, and fails lookups of any other with a message that says
 *   to call `udf()` before the first job;
 * - each reply of such a worker says so (`blockedAtJob`), and the task pool that owns it is
 *   shut down after its job rather than reused (its worker would refuse the next job's UDFs).
 */
const WORKER_KEY = Symbol.for('sluice.insideWorker');

export function markSluiceWorker(): void {
  (globalThis as unknown as Record<symbol, boolean>)[WORKER_KEY] = true;
}

export function insideSluiceWorker(): boolean {
  return (globalThis as unknown as Record<symbol, boolean | undefined>)[WORKER_KEY] === true;
}

/** Stops a job that a worker's import of a user script started: it never settles (see above). */
export function parkJobInWorker(): Promise<never> {
  moduleBlockedAtJob();
  return new Promise<never>(() => {});
}
