import { blockBytes, type Block } from '../../blocks/block.js';
import { columnValues } from '../../blocks/read-values.js';
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

/**
 * Puts a block downstream, counting it (as `rows` rows and `bytes` bytes out, by default its
 * own). Empty blocks are dropped, but for the first one with columns of an operator that has
 * emitted nothing: it carries the schema of a dataset without rows (a Parquet file of none) to
 * `schema()`. Map operators give no task to empty blocks.
 */
export async function emit(ctx: OperatorContext, block: Block, rows = block.numRows, bytes = blockBytes(block)): Promise<void> {
  if (block.numRows === 0 && (ctx.stats.blocksOut > 0 || block.schema.fields.length === 0)) return;
  ctx.stats.rowsOut += rows;
  ctx.stats.blocksOut += 1;
  ctx.stats.bytesOut += bytes;
  await ctx.output.put(block);
}

/** Puts a block downstream even when it is empty (a partition of a run without rows: see exec/partition-chain.ts). */
export async function emitAlways(ctx: OperatorContext, block: Block): Promise<void> {
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

/**
 * Puts a block of files written (a row per file, with its `rows` and `bytes`) downstream,
 * counting the rows and the file bytes written as rows and bytes out, and the files as files out.
 */
export async function emitFiles(ctx: OperatorContext, block: Block): Promise<void> {
  ctx.stats.filesOut = (ctx.stats.filesOut ?? 0) + block.numRows;
  await emit(ctx, block, columnSum(block, 'rows'), columnSum(block, 'bytes'));
}

function columnSum(block: Block, name: string): number {
  const column = block.getChild(name);
  return column === null ? 0 : columnValues(column).reduce((n: number, value) => n + Number(value), 0);
}
