import type { PhysicalOf } from '../../plan/physical.js';
import { sourceBlocks } from '../sources.js';
import { emit, type OperatorContext } from './operator.js';

export async function runSourceOp(op: PhysicalOf<'Source'>, ctx: OperatorContext): Promise<void> {
  for await (const block of sourceBlocks(op.source, ctx.job.resources.cpus)) {
    if (ctx.signal.aborted) return;
    ctx.stats.rowsIn += block.numRows;
    await emit(ctx, block);
  }
}
