import { setMaxListeners } from 'node:events';
import type { ExecutionSettings } from './settings.js';
import type { Block } from '../blocks/block.js';
import { CancelledError, ClusterError } from '../errors.js';
import type { ProgressReporter } from '../observe/progress-source.js';
import { startProgress } from '../observe/progress.js';
import { expectedRowsIn } from './expected-rows.js';
import { DatasetStats } from '../observe/stats.js';
import { physicalInputs, physicalOps, type PhysicalOp } from '../plan/physical.js';
import { insideSluiceWorker, parkJobInWorker, warnOfEntryScriptUdfs } from '../tasks/job-in-worker.js';
import { admitActorPools } from './actor-admission.js';
import { BlockQueue } from './block-queue.js';
import { trackJob } from './interrupt.js';
import { Job } from './job.js';
import { finishJobMonitor, startJobMonitor } from './job-monitor.js';
import { clusterChains, partitionRoles, type PartitionRole } from './partition-chain.js';
import { runAllToAllOp } from './operators/all-to-all-op.js';
import { runActorMapOp } from './operators/actor-map-op.js';
import { runLimitOp } from './operators/limit-op.js';
import { runMapOp } from './operators/map-op.js';
import type { OperatorContext } from './operators/operator.js';
import { runSourceOp } from './operators/source-op.js';
import { runStreamOp, streamingStep } from './operators/stream-op.js';
import { runUnionOp } from './operators/union-op.js';

/**
 * Runs a physical plan as a stream. Every operator runs concurrently, joined to the next by
 * a bounded queue; the memory budget caps the queues and the tasks in flight. The caller pulls the last
 * queue. Leaving the loop early (a `break`, a limit, an error) cancels the queues upstream,
 * aborts tasks in flight and stops the worker threads, so the process can exit by itself.
 * Progress runs while the job does; `job-end` is the last event, after the stats are final.
 * `failWhen`, aborted, fails the job with its reason as a failing operator would (a write whose
 * sink could not start, while the plan was already starting).
 */
export async function* executePlan(
  plan: PhysicalOp,
  settings: ExecutionSettings,
  onStats: (stats: DatasetStats) => void,
  failWhen?: AbortSignal,
): AsyncGenerator<Block> {
  // A worker is importing a user script to find its UDFs: the script's own job must not run there.
  if (insideSluiceWorker()) await parkJobInWorker();
  const job = new Job(settings);
  // Cluster mode hands a run's whole chain to the workers as one operator.
  const root = settings.cluster === null ? plan : clusterChains(plan);
  const ops = physicalOps(root);
  warnOfEntryScriptUdfs(
    ops.flatMap((op) => (op.kind === 'Map' && op.compute.kind !== 'main' && op.compute.kind !== 'any' ? op.transforms : [])),
  );
  job.partitionRoles = partitionRoles(ops);
  refuseOutsideCluster(job.partitionRoles, ops, settings);
  admitActorPools(ops, job.resources);
  const capacity = job.resources.queueCapacity(ops.length);
  const outputs = new Map<PhysicalOp, BlockQueue>(ops.map((op) => [op, new BlockQueue(capacity, job.resources.memory.track)]));
  const monitor = await startJobMonitor(job, ops, outputs);
  job.events.emit({ type: 'job-start', operators: ops.map((op) => op.name) });
  const progress = await startJobProgress(job, ops, outputs);
  job.logLine = (line) => progress.log(line);
  const running = ops.map((op) =>
    startOperator(
      op,
      physicalInputs(op).map((input) => outputs.get(input)!),
      outputs.get(op)!,
      job,
    ),
  );
  const last = outputs.get(root)!;
  // Stops the job once: its consumer does (below), or Ctrl-C (exec/interrupt.ts) while the consumer may be elsewhere.
  let stopping: Promise<{ error: unknown } | null> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      last.cancel();
      job.abort();
      await Promise.all(running);
      // An error log that cannot be written fails the job, but progress and events still end.
      return job.close().then(
        () => null,
        (error: unknown) => ({ error }),
      );
    })());
  const failAndStop = (error: unknown) => {
    job.fail(error);
    return stop();
  };
  const interrupt = trackJob(failAndStop);
  const failedFromOutside = () => void failAndStop(failWhen?.reason);
  if (failWhen?.aborted) failedFromOutside();
  else failWhen?.addEventListener('abort', failedFromOutside, { once: true });
  // Ran to its end unless the consumer stopped early; a failure is the first operator error, or one the output queue raised.
  let reachedEnd = false;
  let raised: { error: unknown } | null = null;
  try {
    for await (const block of last) yield block;
    reachedEnd = true;
    if (job.error) throw job.error.error;
  } catch (error) {
    raised = { error };
    throw error;
  } finally {
    failWhen?.removeEventListener('abort', failedFromOutside);
    const closing = await stop();
    const wallMs = performance.now() - job.started;
    const failure = job.error ?? raised ?? closing;
    const outcome = failure !== null ? 'failed' : reachedEnd ? 'ok' : 'cancelled';
    const view = await finishJobMonitor(job, monitor, outcome, failure?.error);
    const stats = new DatasetStats([...job.stats.values()], wallMs, job.resources.memory.peak, view);
    progress.stop(reachedEnd && failure === null);
    onStats(stats);
    job.events.emit(
      failure !== null ? { type: 'job-end', outcome: 'failed', error: failure.error, stats } : { type: 'job-end', outcome, stats },
    );
    // After Ctrl-C this exits the process, or waits for the exit (a job run by a write returns to it).
    await interrupt.finish(failure?.error);
    // An error log that could not be written fails the job even when its consumer stopped early (a return through here).
    // eslint-disable-next-line no-unsafe-finally -- deliberate: see above; job-end has already reported the job's own error
    if (closing !== null) throw closing.error;
  }
}

function startJobProgress(job: Job, ops: readonly PhysicalOp[], outputs: ReadonlyMap<PhysicalOp, BlockQueue>): Promise<ProgressReporter> {
  const { settings } = job;
  const sources = ops.map((op) => ({
    name: op.name,
    stats: job.statsFor(op),
    expectedRowsIn: expectedRowsIn(op),
    queuedBytes: () => outputs.get(op)!.queuedBytes,
    activeTasks: () => job.activeTasks(op),
    actors: () => job.actors(op),
  }));
  return startProgress(
    {
      mode: settings.progress,
      intervalMs: settings.progressIntervalMs,
      stream: settings.progressStream ?? process.stderr,
      started: job.started,
    },
    sources,
  );
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
  job.events.emit({ type: 'operator-start', operator: op.name });
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
    job.events.emit({ type: 'operator-end', operator: op.name, stats: { ...stats } });
  }
}

function runOperator(op: PhysicalOp, ctx: OperatorContext): Promise<void> {
  switch (op.kind) {
    case 'Source':
      return runSourceOp(op, ctx);
    case 'Map': {
      // An actor pool runs the same task loop (runMapTasks) with each bundle sent to an actor.
      if (op.compute.kind === 'actors') return runActorMapOp(op, op.compute, ctx);
      const streaming = streamingStep(op);
      return streaming ? runStreamOp(op, streaming, ctx) : runMapOp(op, ctx);
    }
    case 'Limit':
      return runLimitOp(op, ctx);
    case 'Union':
      return runUnionOp(op, ctx);
    case 'AllToAll':
      return runAllToAllOp(op, ctx);
  }
}

/**
 * Cluster mode runs the partitions of a write with a run id on the workers. A job that returns
 * its rows here (take, iterRows, count…), a write without a run id, or a write to a sink has no
 * partitions to hand out: it is refused rather than run on the driver alone without a word.
 */
function refuseOutsideCluster(
  roles: ReadonlyMap<PhysicalOp, PartitionRole>,
  ops: readonly PhysicalOp[],
  settings: ExecutionSettings,
): void {
  if (settings.cluster === null) return;
  if (roles.size === 0)
    throw new ClusterError(
      `cluster mode (${settings.cluster.redis}) runs writeParquet/writeJson/writeCsv with a runId on the workers; this job ` +
        `(${ops.at(-1)?.name ?? 'a plan'}) returns its rows to this process or writes without a run id. Give the write a ` +
        'runId, or run this job here with the option cluster: null (per call) or without SLUICE_CLUSTER',
    );
}
