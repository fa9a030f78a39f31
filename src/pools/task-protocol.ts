import type { PackedBlocks } from '../blocks/packed-blocks.js';
import { FileReadError, UdfError, type InputLocation } from '../errors.js';
import type { SkippedInput } from '../tasks/task-outcome.js';
import type { Transform } from '../tasks/transform.js';

/**
 * What the main thread posts to a task-pool worker: the input block packed as actors' batches
 * are (blocks/packed-blocks.ts: no flatbuffer header per batch, the schema decoded once per
 * thread), its buffers moved, not copied.
 */
export interface TaskRequest {
  readonly input: PackedBlocks;
  readonly transforms: readonly Transform[];
  readonly taskIndex: number;
  readonly concurrency: number;
  /**
   * Where the worker notes its thread id and the time as it begins the task (start-mark.ts),
   * unless the main thread withdrew the task first: the worker then answers null.
   */
  readonly startMark: SharedArrayBuffer;
  /** Whether the result may come in shared memory (shared-replies.ts). */
  readonly sharedReply: boolean;
}

/** A UDF's error as data, where it crosses to the main thread (a worker's reply, a cluster job's answer). */
export interface UdfFailure {
  readonly ok: false;
  readonly operator: string;
  readonly input: InputLocation;
  readonly cause: SerializedError;
  /** The error was a FileReadError (a bad file or record), to be raised as one on the main thread. */
  readonly fileError?: boolean;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

/**
 * What a worker answers. Application errors come back as data, so that a rejected task
 * always means the worker itself failed (crashed, exited): only those are retried by default.
 */
export type TaskReply = (
  { readonly ok: true; readonly output: PackedBlocks; readonly skipped: SkippedInput[]; readonly udfMs: number } | UdfFailure
) & {
  /** The worker imported a module that started a job at its top level (see tasks/job-in-worker.ts): do not reuse the pool. */
  readonly blockedAtJob: boolean;
};

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error), stack: undefined };
}

export function deserializeError(error: SerializedError): Error {
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}

export function replyToError(reply: UdfFailure): UdfError {
  const ErrorClass = reply.fileError ? FileReadError : UdfError;
  return new ErrorClass(reply.operator, reply.input, deserializeError(reply.cause));
}
