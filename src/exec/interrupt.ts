/**
 * Ctrl-C (SIGINT) and SIGTERM while sluice runs: stop the jobs, undo the unfinished writes, exit.
 *
 * It sits in exec because what a signal stops is jobs, and jobs are exec's: `executePlan`
 * registers each job with the way to stop it. Writes are api's, one floor up; they register
 * through `whileInterruptible` and do their own rollback. So the whole policy (when a handler is
 * installed, what the first and a second signal do, when the process exits) is in this file.
 *
 * - A handler for SIGINT and SIGTERM is installed only while at least one job or write runs
 *   on the main thread, and removed when the last one ends: a script that runs none keeps
 *   Node's default Ctrl-C, and nothing is left listening after a job.
 * - The first signal fails every running job with an `InterruptedError`, which aborts its tasks
 *   and stops its pools (the job's ordinary cancel path). Each write then ends as on a failure:
 *   a file write removes every file of its write id, committed or temporary; a Datasink gets
 *   `onWriteFailed` with the `InterruptedError`. Once all of them have stopped the process exits
 *   with 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM. What was interrupted never
 *   returns to the script (so a `catch` there cannot carry on, or exit with another code, while
 *   another write is still removing its files).
 * - A second signal exits at once, with the same code.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { SluiceError, causeMessage } from '../errors.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * The job was stopped by SIGINT or SIGTERM. A Datasink's `onWriteFailed` receives it; the script
 * itself never does, since the process exits with `exitCode` once the jobs have stopped.
 */
export class InterruptedError extends SluiceError {
  override name = 'InterruptedError';
  /** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM. */
  readonly exitCode: number;
  constructor(readonly signal: InterruptSignal) {
    const exitCode = 128 + constants.signals[signal];
    super(
      `the job was interrupted by ${signal}${signal === 'SIGINT' ? ' (Ctrl-C)' : ''}; the process exits with code ${exitCode} ` +
        'once its jobs have stopped and its unfinished writes are rolled back',
    );
    this.exitCode = exitCode;
  }
}

/** What a job or write holds while it runs. */
export interface InterruptHandle {
  /** The interrupt, once a signal came: a write checks it before it marks itself complete. */
  readonly interrupted: InterruptedError | null;
  /**
   * It ended (`failure` is what it failed with). Without an interrupt this resolves at once.
   * After one, the process exits here if nothing else is still stopping; otherwise what returns
   * to the script waits for that exit, and only a job run by a write returns (to its write).
   */
  finish(failure?: unknown): Promise<void>;
}

interface Running {
  /** How a job stops: it settles once the job's tasks and pools have stopped. Writes have none: they end through their job. */
  readonly stop: ((error: InterruptedError) => PromiseLike<unknown>) | undefined;
  /** Runs inside a write, which consumes it and waits for it. */
  readonly nested: boolean;
  /** Nothing more to wait for: a job whose operators and pool stopped while its consumer was elsewhere. */
  stopped: boolean;
}

const running = new Set<Running>();
/** The write being run: a job started inside it is nested. */
const writeScope = new AsyncLocalStorage<Running>();
let installed = false;
let interrupt: InterruptedError | null = null;

const NOT_TRACKED: InterruptHandle = { interrupted: null, finish: () => Promise.resolve() };

/**
 * Registers a running job; `stop` fails it with the error, stops it and settles once its tasks
 * and pools have stopped. Call `finish` when the job has ended, whatever the outcome.
 */
export function trackJob(stop: (error: InterruptedError) => PromiseLike<unknown>): InterruptHandle {
  // A worker thread gets no signals; a job there is a job script imported by a worker, parked.
  if (!isMainThread || signalsHandledElsewhere) return NOT_TRACKED;
  return handleOf(register(stop, writeScope.getStore() !== undefined));
}

let signalsHandledElsewhere = false;

/**
 * For a process that handles SIGINT and SIGTERM itself (a cluster worker, which finishes its
 * running partitions and then ends its jobs): its jobs are left out of this policy.
 */
export function handleSignalsElsewhere(): void {
  signalsHandledElsewhere = true;
}

/**
 * Runs a write under the handler. On an interrupt its job fails with the InterruptedError,
 * `run` rolls back as on any failure and rethrows, and the process exits; `run` also checks
 * `handle.interrupted` before it marks the write complete.
 */
export async function whileInterruptible<T>(run: (handle: InterruptHandle) => Promise<T>): Promise<T> {
  if (!isMainThread) return run(NOT_TRACKED);
  const entry = register(undefined, writeScope.getStore() !== undefined);
  const handle = handleOf(entry);
  let value: T;
  try {
    value = await writeScope.run(entry, () => run(handle));
  } catch (error) {
    await handle.finish(error);
    throw error;
  }
  await handle.finish();
  return value;
}

function register(stop: Running['stop'], nested: boolean): Running {
  const entry: Running = { stop, nested, stopped: false };
  running.add(entry);
  if (!installed) {
    installed = true;
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  if (interrupt !== null) stopJob(entry, interrupt);
  return entry;
}

function handleOf(entry: Running): InterruptHandle {
  return {
    get interrupted() {
      return interrupt;
    },
    finish: (failure?: unknown) => finish(entry, failure),
  };
}

function finish(entry: Running, failure: unknown): Promise<void> {
  running.delete(entry);
  if (interrupt === null) {
    if (running.size === 0 && installed) {
      installed = false;
      for (const signal of SIGNALS) process.off(signal, onSignal);
    }
    return Promise.resolve();
  }
  // An error of its own (a rollback that could not remove every file, say) would otherwise go unseen.
  if (!entry.nested && failure !== undefined && !(failure instanceof InterruptedError)) {
    process.stderr.write(`sluice: while stopping: ${failure instanceof Error ? failure.name + ': ' : ''}${causeMessage(failure)}\n`);
  }
  exitWhenStopped();
  return entry.nested ? Promise.resolve() : new Promise<void>(() => {});
}

function onSignal(signal: NodeJS.Signals): void {
  if (interrupt !== null) process.exit(interrupt.exitCode);
  interrupt = new InterruptedError(signal as InterruptSignal);
  const exitCode = interrupt.exitCode;
  const jobs = [...running].filter((entry) => entry.stop !== undefined).length;
  const writes = running.size - jobs;
  process.stderr.write(
    `\nsluice: ${signal}: stopping ${count(jobs, 'job')}${writes > 0 ? ` and rolling back ${count(writes, 'unfinished write')}` : ''}; ` +
      `${signal === 'SIGINT' ? 'press Ctrl-C' : `send ${signal}`} again to exit at once\n`,
  );
  // Should the event loop run dry before everything reported back, the exit code is still the signal's.
  process.once('beforeExit', () => process.exit(exitCode));
  for (const entry of running) stopJob(entry, interrupt);
  exitWhenStopped();
}

function stopJob(entry: Running, error: InterruptedError): void {
  const stop = entry.stop;
  if (stop === undefined) return;
  // Marked a macrotask later, so that a consumer waiting on the job ends it first (its events and progress end).
  const stopped = () =>
    setImmediate(() => {
      entry.stopped = true;
      exitWhenStopped();
    });
  Promise.resolve()
    .then(() => stop(error))
    .then(stopped, stopped);
}

function exitWhenStopped(): void {
  if (interrupt !== null && [...running].every((entry) => entry.stopped)) process.exit(interrupt.exitCode);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
