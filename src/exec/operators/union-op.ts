import type { PhysicalOf } from '../../plan/physical.js';
import { consume, emit, type OperatorContext } from './operator.js';

/** All rows of every input: one input after the other under preserveOrder, else as they come. */
export async function runUnionOp(_op: PhysicalOf<'Union'>, ctx: OperatorContext): Promise<void> {
  if (ctx.job.settings.preserveOrder) {
    for (const input of ctx.inputs) for await (const block of consume(ctx, input)) await emit(ctx, block);
    return;
  }
  await Promise.all(
    ctx.inputs.map(async (input) => {
      for await (const block of consume(ctx, input)) await emit(ctx, block);
    }),
  );
}
