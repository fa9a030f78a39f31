import { FileReadError, type InputLocation } from '../../errors.js';

/**
 * A FileReadError whose message says what is wrong with the file (or record) and how to
 * fix it. The original error, when there is one, stays reachable as the cause's cause.
 */
export function fileError(operator: string, where: InputLocation, problem: string, fix: string, cause?: unknown): FileReadError {
  return new FileReadError(operator, where, new Error(`${problem}; ${fix}`, cause === undefined ? undefined : { cause }));
}

/** The fix for a record that does not parse, offered with every record-level error. */
export const SKIP_RECORDS_HINT = "fix the record, or pass onError: 'skip' to skip bad records (they are logged to errorLog)";

/** The fix for a file that cannot be read at all. */
export const SKIP_FILES_HINT = "check the file, or pass onError: 'skip' to skip unreadable files (they are logged to errorLog)";

/** What a read task past its `timeoutMs` says, from the worker (one fragment) or the main thread (a stuck worker). */
export function timeoutProblem(ms: number, workerStopped: boolean): string {
  return `no result after ${ms} ms${workerStopped ? ', so its worker was stopped' : ''} (a damaged or very large file)`;
}

export const TIMEOUT_HINT = "raise timeoutMs, or pass onError: 'skip' to skip such files (they are logged to errorLog)";

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
