import type { StorageOptions } from '../../storage/index.js';

/** What a format's `plan` is told of a file besides its path: its size, and how to reach it when it is on S3. */
export interface PlanContext {
  readonly size: number;
  /** The read's `storage` option: pass it to `readFileBytes` and `readFileRange`. */
  readonly storage: StorageOptions | undefined;
}
