import { blockBytes, type Block } from './block.js';
import { concatBlocks } from './concat.js';

/**
 * Groups a stream of blocks into task inputs. Without a batch size each block is one task;
 * with one, a task gets a whole multiple of the batch size (blocks are joined and split
 * without copying), so every batch a UDF sees is exact except the very last one.
 */
export async function* bundleBlocks(blocks: AsyncIterable<Block> | Iterable<Block>, batchSize: number | undefined): AsyncGenerator<Block> {
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

/**
 * Cuts a stream of blocks into bundles of at most `maxRows` rows and about `maxBytes` bytes
 * (Arrow memory, estimated per row from each incoming block); every bundle but the last is
 * full. A single row larger than `maxBytes` still makes a bundle of its own. Used where a
 * bundle becomes one output (a file of a write), so the cut is exact rather than a multiple.
 */
export class SizeBundler {
  private pending: Block[] = [];
  private rows = 0;
  private bytes = 0;

  constructor(
    private readonly maxRows: number,
    private readonly maxBytes: number,
  ) {}

  /** Adds a block; returns the bundles it completed. */
  add(block: Block): Block[] {
    const full: Block[] = [];
    const perRow = block.numRows > 0 ? blockBytes(block) / block.numRows : 0;
    for (let offset = 0; offset < block.numRows;) {
      const roomByBytes = perRow > 0 ? Math.max(1, Math.floor((this.maxBytes - this.bytes) / perRow)) : Infinity;
      const take = Math.min(block.numRows - offset, this.maxRows - this.rows, roomByBytes);
      this.pending.push(take === block.numRows ? block : block.slice(offset, offset + take));
      offset += take;
      this.rows += take;
      this.bytes += take * perRow;
      if (this.rows >= this.maxRows || this.bytes + perRow > this.maxBytes) full.push(...this.flush());
    }
    return full;
  }

  /** The bundle in progress, if it has rows. */
  flush(): Block[] {
    const out = this.rows > 0 ? [concatBlocks(this.pending)] : [];
    this.pending = [];
    this.rows = 0;
    this.bytes = 0;
    return out;
  }
}

export async function* bundleBySize(
  blocks: AsyncIterable<Block> | Iterable<Block>,
  maxRows: number,
  maxBytes: number,
): AsyncGenerator<Block> {
  const bundler = new SizeBundler(maxRows, maxBytes);
  for await (const block of blocks) yield* bundler.add(block);
  yield* bundler.flush();
}
