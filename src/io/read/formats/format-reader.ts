import type { Block } from '../../../blocks/block.js';
import type { InputLocation } from '../../../errors.js';
import type { Fragment } from '../fragment.js';
import type { ReadSpec } from '../read-spec.js';

/** One fragment to read, as a format reader gets it. */
export interface ReadTask {
  readonly fragment: Fragment;
  readonly read: ReadSpec;
  /** Columns to read from the file: the projection, less the `path` column that the read step adds itself. */
  readonly fileColumns: readonly string[] | undefined;
  /**
   * Reports a record that cannot be parsed: throws a FileReadError under `onError: 'fail'`,
   * logs it and lets the reader go on under 'skip'. The fragment's file is added to `where`.
   */
  badRecord(where: InputLocation, problem: string, cause?: unknown): void;
  /**
   * Aborted when the read step gives up on this fragment: its `timeoutMs` has passed, or (for a
   * streaming format) the job stops. A reader then stops and releases what it holds (a parser,
   * an open file, a process).
   */
  readonly signal: AbortSignal;
}

/**
 * Reads one fragment into a block. A file-level problem (unreadable, not the format, a
 * missing column) is thrown; the read step turns it into a FileReadError naming the file.
 */
export type FormatReader = (task: ReadTask) => Promise<Block>;
