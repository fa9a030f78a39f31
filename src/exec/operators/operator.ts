import { blockBytes, type Block } from '../../blocks/block.js';
import type { OperatorStats } from '../../observe/stats.js';
import type { BlockQueue } from '../block-queue.js';
import type { Job } from '../job.js';

/** What every running physical operator gets: its queues, the job, its stats and a stop signal. */
export interface OperatorContext {
  readonly inputs: readonly BlockQueue[];
  readonly output: BlockQueue;
  readonly job: Job;
  readonly stats: OperatorStats;
  /** Aborted when the job fails or the consumer of this operator's output wants no more. */
  readonly signal: AbortSignal;
}

/** Puts a block downstream, counting it. Empty blocks are dropped. */
export async function emit(ctx: OperatorContext, block: Block): Promise<void> {
  if (block.numRows === 0) return;
  ctx.stats.rowsOut += block.numRows;
  ctx.stats.blocksOut += 1;
  ctx.stats.bytesOut += blockBytes(block);
  await ctx.output.put(block);
}

/** Reads an input queue to its end, counting rows in. */
export async function* consume(ctx: OperatorContext, input: BlockQueue): AsyncGenerator<Block> {
  for await (const block of input) {
    ctx.stats.rowsIn += block.numRows;
    yield block;
  }
}
