import { MiddlewareError } from '../errors.js';

/** One UDF call: a task of a map-like operator (one bundle of rows through its fused chain). */
export interface UdfCall {
  /** The physical operator, as named in stats and progress. */
  readonly operator: string;
  /** The task's index within its operator (the same as in errors and events). */
  readonly taskIndex: number;
  /** Rows handed to the task. */
  readonly batchSize: number;
}

/** How a UDF call ended. Retries of the task are inside the call: this is the final outcome. */
export interface UdfOutcome {
  /** From dispatch to result, retries and waiting for a CPU slot included. */
  readonly durationMs: number;
  /** Rows the task produced (0 when it failed). */
  readonly rowsOut: number;
  /** The error the task failed with, if it failed. */
  readonly error?: unknown;
}

/**
 * Hooks around every UDF call, on the main thread, for tracing (spans, metrics, logs). They
 * run synchronously: a hook must be quick, and a returned promise is not awaited. Several
 * middlewares nest: `before` in the order given, `after` in reverse. A hook that throws fails
 * the job with a `MiddlewareError` (after a failed task, the task's own error is kept).
 */
export interface UdfMiddleware {
  before?(call: UdfCall): void;
  after?(call: UdfCall, outcome: UdfOutcome): void;
}

/** Runs `task` inside the middlewares' hooks. */
export async function withMiddleware<T>(
  middleware: readonly UdfMiddleware[],
  call: UdfCall,
  task: () => Promise<T>,
  rowsOf: (result: T) => number,
): Promise<T> {
  if (middleware.length === 0) return task();
  for (const m of middleware) hook(call, 'before', () => m.before?.(call));
  const started = performance.now();
  let result: T;
  try {
    result = await task();
  } catch (error) {
    const outcome: UdfOutcome = { durationMs: performance.now() - started, rowsOut: 0, error };
    try {
      for (const m of middleware.toReversed()) hook(call, 'after', () => m.after?.(call, outcome));
    } catch {
      // The task's error is the one the job reports; a hook failing on top of it adds nothing.
    }
    throw error;
  }
  const outcome: UdfOutcome = { durationMs: performance.now() - started, rowsOut: rowsOf(result) };
  for (const m of middleware.toReversed()) hook(call, 'after', () => m.after?.(call, outcome));
  return result;
}

function hook(call: UdfCall, name: 'before' | 'after', run: () => void): void {
  try {
    run();
  } catch (error) {
    throw new MiddlewareError(call.operator, name, call.taskIndex, error);
  }
}
