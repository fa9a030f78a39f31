import { blockBytes, emptyBlock, type Block } from '../../blocks/block.js';
import { bundleBySize } from '../../blocks/bundler.js';
import { CancelledError, UdfError } from '../../errors.js';
import type { PhysicalOf } from '../../plan/physical.js';
import type { BlockTask } from '../../tasks/block-task.js';
import type { SkippedInput } from '../../tasks/task-outcome.js';
import { thrownError } from '../../tasks/task-outcome.js';
import type { BlocksTransform } from '../../tasks/transform.js';
import { loadModuleFn } from '../../tasks/udf-registry.js';
import { consume, emit, type OperatorContext } from './operator.js';
import { onAbort } from '../../tasks/on-abort.js';

type StreamingStep = BlocksTransform & { readonly streams: { readonly cpus: number } };
type StreamFn = (input: Block, task: BlockTask) => AsyncIterable<Block>;

/** The streaming step that an operator starts with, if it does (a streaming format's read, which fuses with nothing). */
export function streamingStep(op: PhysicalOf<'Map'>): StreamingStep | null {
  const first = op.transforms[0];
  return op.transforms.length === 1 && first?.op === 'blocks' && first.streams !== undefined ? (first as StreamingStep) : null;
}

/**
 * Runs a streaming step (see BlocksTransform.streams): a task per input bundle, each a stream
 * of blocks that its function yields on the main thread while another process does the work.
 * A stream starts once it holds its CPU slots, so processes never oversubscribe the machine
 * (with task-pool and actor work, which take the same slots), and at most as many run as the
 * slots allow (or the read's `concurrency`, if lower). A stream's next block is pulled only
 * once its last one is downstream: a full queue pauses every stream, and memory holds the
 * queues plus one block per stream. Under preserveOrder a stream emits only when every stream
 * before it has ended; until then it holds its first block and waits (its process pauses).
 */
export async function runStreamOp(op: PhysicalOf<'Map'>, step: StreamingStep, ctx: OperatorContext): Promise<void> {
  const fn = (await loadModuleFn(step.fn as Extract<BlocksTransform['fn'], { kind: 'module' }>)) as StreamFn;
  const { resources } = ctx.job;
  const cpus = Math.min(step.streams.cpus, resources.cpus);
  const concurrency = op.compute.kind === 'main' ? op.compute.concurrency : Infinity;
  const maxInFlight = Math.max(1, Math.min(concurrency, Math.floor(resources.cpus / cpus)));
  const turns = new StreamTurns(ctx.job.settings.preserveOrder);
  const inFlight = new Set<Promise<void>>();
  let taskIndex = 0;
  for await (const bundle of bundleBySize(consume(ctx, ctx.inputs[0]), step.maxRows, step.maxBytes)) {
    if (ctx.signal.aborted) break;
    if (bundle.numRows === 0) continue;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (ctx.signal.aborted) break;
    const index = taskIndex++;
    ctx.stats.tasks++;
    const running = runStream(op, step, ctx, fn, bundle, index, cpus, turns)
      .catch((error: unknown) => {
        if (!(error instanceof CancelledError) && !ctx.signal.aborted) ctx.job.fail(error);
      })
      .finally(() => {
        turns.finish(index);
        inFlight.delete(running);
      });
    inFlight.add(running);
  }
  await Promise.all(inFlight);
}

async function runStream(
  op: PhysicalOf<'Map'>,
  step: StreamingStep,
  ctx: OperatorContext,
  fn: StreamFn,
  bundle: Block,
  taskIndex: number,
  cpus: number,
  turns: StreamTurns,
): Promise<void> {
  const { resources } = ctx.job;
  await resources.acquireTaskCpus(cpus, ctx.signal);
  const skipped: SkippedInput[] = [];
  const task: BlockTask = {
    taskIndex,
    args: step.args,
    signal: ctx.signal,
    skip: (input, message, rows = 1, error) =>
      skipped.push({ operator: step.name, input, message, rows, ...(error === undefined ? {} : { error: thrownError(error) }) }),
  };
  const call = { operator: op.name, taskIndex, batchSize: bundle.numRows };
  try {
    await ctx.job.runTask(op, call, async () => {
      let working = performance.now();
      try {
        for await (const block of fn(bundle, task)) {
          ctx.stats.udfMs += performance.now() - working;
          await putDownstream(ctx, block, () => turns.turn(taskIndex, ctx.signal));
          working = performance.now();
        }
      } catch (error) {
        if (ctx.signal.aborted) throw new CancelledError();
        // A read locates its failures (the file); anything else is the step's own error.
        throw error instanceof UdfError ? error : new UdfError(step.name, { taskIndex }, error);
      }
      return { block: emptyBlock() };
    });
  } finally {
    resources.releaseTaskCpus(cpus);
    ctx.job.recordSkipped(op, ctx.stats, skipped);
  }
}

/** A block in hand counts against the memory budget until the queue downstream holds it. */
async function putDownstream(ctx: OperatorContext, block: Block, turn: () => Promise<void>): Promise<void> {
  const bytes = blockBytes(block);
  const { memory } = ctx.job.resources;
  memory.track(bytes);
  try {
    await turn();
    await emit(ctx, block);
  } finally {
    memory.track(-bytes);
  }
}

/** Whose turn it is to emit under preserveOrder: the lowest stream not yet ended. Without it, every stream's. */
class StreamTurns {
  private readonly ended = new Set<number>();
  private head = 0;
  private readonly waiters = new Map<number, Array<() => void>>();

  constructor(private readonly preserveOrder: boolean) {}

  turn(index: number, signal: AbortSignal): Promise<void> {
    if (!this.preserveOrder || index <= this.head) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const forget = onAbort(signal, () => reject(new CancelledError()));
      const list = this.waiters.get(index) ?? [];
      list.push(() => {
        forget();
        resolve();
      });
      this.waiters.set(index, list);
    });
  }

  finish(index: number): void {
    this.ended.add(index);
    while (this.ended.has(this.head)) this.ended.delete(this.head++);
    for (const [index, list] of this.waiters) {
      if (index > this.head) continue;
      this.waiters.delete(index);
      for (const wake of list) wake();
    }
  }
}
