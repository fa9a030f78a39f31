import { setMaxListeners } from 'node:events';
import type { ExecutionSettings } from '../api/settings.js';
import type { Block } from '../blocks/block.js';
import { CancelledError } from '../errors.js';
import { DatasetStats } from '../observe/stats.js';
import { physicalInputs, physicalOps, type PhysicalOp } from '../plan/physical.js';
import { moduleBlockedAtJob } from '../pools/udf-registry.js';
import { insideSluiceWorker } from '../pools/worker-context.js';
import { BlockQueue } from './block-queue.js';
import { Job } from './job.js';
import { runAllToAllOp } from './operators/all-to-all-op.js';
import { runLimitOp } from './operators/limit-op.js';
import { runMapOp } from './operators/map-op.js';
import type { OperatorContext } from './operators/operator.js';
import { runSourceOp } from './operators/source-op.js';
import { runUnionOp } from './operators/union-op.js';

/**
 * Runs a physical plan as a stream. Every operator runs concurrently, joined to the next by
 * a bounded queue; the memory budget is split among the queues. The caller pulls the last
 * queue. Leaving the loop early (a `break`, a limit, an error) cancels the queues upstream,
 * aborts tasks in flight and stops the worker threads, so the process can exit by itself.
 */
export async function* executePlan(root: PhysicalOp, settings: ExecutionSettings, onStats: (stats: DatasetStats) => void): AsyncGenerator<Block> {
  if (insideSluiceWorker()) {
    // A worker is importing a user script to find its UDFs: the script's own job must not run here.
    moduleBlockedAtJob();
    await new Promise<never>(() => {});
  }
  const job = new Job(settings);
  const ops = physicalOps(root);
  const capacity = job.resources.queueCapacity(ops.length);
  const outputs = new Map<PhysicalOp, BlockQueue>(ops.map((op) => [op, new BlockQueue(capacity, job.resources.trackQueuedBytes)]));
  const running = ops.map((op) => startOperator(op, physicalInputs(op).map((input) => outputs.get(input)!), outputs.get(op)!, job));
  const last = outputs.get(root)!;
  try {
    for await (const block of last) yield block;
    if (job.error) throw job.error.error;
  } finally {
    last.cancel();
    job.abort();
    await Promise.all(running);
    await job.close();
    onStats(new DatasetStats([...job.stats.values()], performance.now() - job.started, job.resources.peakQueuedBytes));
  }
}

async function startOperator(op: PhysicalOp, inputs: BlockQueue[], output: BlockQueue, job: Job): Promise<void> {
  const controller = new AbortController();
  // Each task in flight listens for the stop (one per CPU slot and more): not a leak, so no warning.
  setMaxListeners(0, controller.signal);
  const stop = () => {
    controller.abort();
    for (const input of inputs) input.cancel();
  };
  output.onCancel(stop);
  if (job.signal.aborted) stop();
  else job.signal.addEventListener('abort', stop, { once: true });
  const stats = job.statsFor(op);
  const ctx: OperatorContext = { inputs, output, job, stats, signal: controller.signal };
  const started = performance.now();
  try {
    await runOperator(op, ctx);
  } catch (error) {
    if (!(error instanceof CancelledError) && !controller.signal.aborted) job.fail(error);
  } finally {
    stats.wallMs = performance.now() - started;
    stats.backpressureMs = output.blockedMs;
    for (const input of inputs) input.cancel();
    output.close();
  }
}

function runOperator(op: PhysicalOp, ctx: OperatorContext): Promise<void> {
  switch (op.kind) {
    case 'Source':
      return runSourceOp(op, ctx);
    case 'Map':
      return runMapOp(op, ctx);
    case 'Limit':
      return runLimitOp(op, ctx);
    case 'Union':
      return runUnionOp(op, ctx);
    case 'AllToAll':
      return runAllToAllOp(op, ctx);
  }
}
