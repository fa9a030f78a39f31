import type { InputLocation } from '../errors.js';

/** What the function of a 'blocks' step receives with its block (see BlocksTransform). */
export interface BlockTask<Args = unknown> {
  readonly taskIndex: number;
  readonly args: Args;
  /** Drops an input under `onError: 'skip'`: it goes to the error log (with `error`'s class and stack), and the task goes on. */
  skip(input: InputLocation, message: string, rows?: number, error?: unknown): void;
  /** Aborted when the job stops (given to streaming steps, which run on the main thread; see BlocksTransform.streams). */
  readonly signal?: AbortSignal;
}
