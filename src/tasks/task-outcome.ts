import type { Block } from '../blocks/block.js';
import type { InputLocation } from '../errors.js';

/** An input dropped under `onError: 'skip'`, for the error log. */
export interface SkippedInput {
  readonly operator: string;
  readonly input: InputLocation;
  readonly message: string;
  readonly rows: number;
}

/** What one task (a fused chain over one bundle) gives back, wherever it ran. */
export interface TaskOutcome {
  readonly block: Block;
  readonly skipped: SkippedInput[];
  readonly udfMs: number;
}
