import type { Block } from '../../blocks/block.js';
import type { PhysicalOf } from '../../plan/physical.js';
import { sourceBlocks } from '../sources.js';
import { untilAborted } from '../until-aborted.js';
import { emit, type OperatorContext } from './operator.js';

export async function runSourceOp(op: PhysicalOf<'Source'>, ctx: OperatorContext): Promise<void> {
  const blocks = sourceBlocks(op.source, ctx.job.resources.cpus);
  // Without a stall timeout the job never stalls: its source is pulled as it is.
  const pulled = ctx.job.settings.stallTimeoutMs === null ? blocks : untilStalled(blocks, ctx.job.stalled);
  for await (const block of pulled) {
    if (ctx.signal.aborted) return;
    ctx.stats.rowsIn += block.numRows;
    await emit(ctx, block);
  }
}

/**
 * A source's blocks until the job stalls: then the source's pending next rows (an iterable that
 * never yields) are given up on, and so is its cleanup, which would wait behind them.
 */
async function* untilStalled(blocks: AsyncGenerator<Block>, stalled: AbortSignal): AsyncGenerator<Block> {
  let givenUp = false;
  try {
    for (;;) {
      const next = await untilAborted(blocks.next(), stalled).catch((error: unknown) => {
        givenUp = stalled.aborted;
        throw error;
      });
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    if (!givenUp) await blocks.return(undefined);
  }
}
