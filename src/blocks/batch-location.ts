import type { InputLocation } from '../errors.js';
import type { Block } from './block.js';

/** Where a batch of a task's input is: its first row, its row count, and its file when its rows carry a `path`. */
export function batchLocation(batch: Block, taskIndex: number, rowIndex = 0): InputLocation {
  const path: unknown = batch.getChild('path')?.get(0);
  return { taskIndex, rowIndex, batchRows: batch.numRows, ...(typeof path === 'string' ? { path } : {}) };
}
