import type { Block } from '../blocks/block.js';
import type { InputLocation } from '../errors.js';

/** An input dropped under `onError: 'skip'`, for the error log. */
export interface SkippedInput {
  readonly operator: string;
  readonly input: InputLocation;
  readonly message: string;
  readonly rows: number;
  /** The class and stack of the error that dropped it, when one was thrown (plain data: it crosses threads). */
  readonly error?: ThrownError;
}

export interface ThrownError {
  readonly name: string;
  readonly stack: string | undefined;
}

/** The class and stack of a thrown value, for the error log. */
export function thrownError(error: unknown): ThrownError {
  return error instanceof Error ? { name: error.name, stack: error.stack } : { name: typeof error, stack: undefined };
}

/** What one task (a fused chain over one bundle) gives back, wherever it ran. */
export interface TaskOutcome {
  readonly block: Block;
  readonly skipped: SkippedInput[];
  readonly udfMs: number;
}
