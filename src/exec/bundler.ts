import type { Block } from '../blocks/block.js';
import { concatBlocks } from '../blocks/concat.js';

/**
 * Groups a stream of blocks into task inputs. Without a batch size each block is one task;
 * with one, a task gets a whole multiple of the batch size (blocks are joined and split
 * without copying), so every batch a UDF sees is exact except the very last one.
 */
export async function* bundleBlocks(blocks: AsyncIterable<Block>, batchSize: number | undefined): AsyncGenerator<Block> {
  if (batchSize === undefined) {
    yield* blocks;
    return;
  }
  let pending: Block[] = [];
  let rows = 0;
  for await (const block of blocks) {
    if (block.numRows === 0) continue;
    pending.push(block);
    rows += block.numRows;
    if (rows < batchSize) continue;
    const joined = concatBlocks(pending);
    const take = Math.floor(rows / batchSize) * batchSize;
    yield joined.slice(0, take);
    const rest = joined.slice(take);
    pending = rest.numRows > 0 ? [rest] : [];
    rows -= take;
  }
  if (rows > 0) yield concatBlocks(pending);
}
