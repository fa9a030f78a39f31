import type { Block } from './block.js';

/** Splits a block into batches of exactly `size` rows; only the last may be shorter. */
export function sliceIntoBatches(block: Block, size: number | undefined): Block[] {
  if (size === undefined || block.numRows <= size) return [block];
  const out: Block[] = [];
  for (let start = 0; start < block.numRows; start += size) out.push(block.slice(start, Math.min(start + size, block.numRows)));
  return out;
}
