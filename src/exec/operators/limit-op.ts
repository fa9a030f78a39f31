import type { PhysicalOf } from '../../plan/physical.js';
import { consume, emit, type OperatorContext } from './operator.js';

/** Passes the first `n` rows, then cancels its input so that upstream work stops at once. */
export async function runLimitOp(op: PhysicalOf<'Limit'>, ctx: OperatorContext): Promise<void> {
  let remaining = op.n;
  const input = ctx.inputs[0];
  if (remaining > 0) {
    for await (const block of consume(ctx, input)) {
      const taken = block.numRows > remaining ? block.slice(0, remaining) : block;
      remaining -= taken.numRows;
      await emit(ctx, taken);
      if (remaining === 0) break;
    }
  }
  input.cancel();
}
