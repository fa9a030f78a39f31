import { blockBytes, blockFromRows, emptyBlock, type Block } from '../../blocks/block.js';
import { batchLocation } from '../../blocks/batch-location.js';
import { bundleBlocks, bundleBySize } from '../../blocks/bundler.js';
import { declaredTypes } from '../../blocks/column-types.js';
import { FirstSchema } from '../../blocks/first-schema.js';
import { columnValues } from '../../blocks/read-values.js';
import { sliceIntoBatches } from '../../blocks/slice.js';
import {
  CancelledError,
  fileError,
  InvalidOptionError,
  TaskTimeoutError,
  TIMEOUT_HINT,
  timeoutProblem,
  UdfError,
  WorkerCrashError,
} from '../../errors.js';
import type { WatchedTask } from '../../observe/task-watch.js';
import type { PhysicalOf } from '../../plan/physical.js';
import { DEFAULT_ROW_CONCURRENCY, runChain } from '../../tasks/run-chain.js';
import { loadModuleFn } from '../../tasks/udf-registry.js';
import { thrownError, type TaskOutcome } from '../../tasks/task-outcome.js';
import { isOneToOne, outputsFiles, type BlocksTransform, type FnRef, type Transform } from '../../tasks/transform.js';
import type { MemoryBudget, MemoryReservation } from '../memory-budget.js';
import { OrderedEmitter } from '../ordered-emitter.js';
import { TaskLanes } from '../task-lanes.js';
import { untilAborted } from '../until-aborted.js';
import {
  emptyPartitionRow,
  isEmptyPartitionRow,
  PartitionGroup,
  partitionOf,
  tagPartition,
  type PartitionedWrite,
} from '../partition-chain.js';
import { consume, emit, emitAlways, emitFiles, type OperatorContext } from './operator.js';
import { onAbort } from '../../tasks/on-abort.js';
import type { PoolCall } from '../../pools/task-pool.js';
import { sharedReplyLimit } from '../../pools/shared-replies.js';

type MapOp = PhysicalOf<'Map'>;

/** Time a task with a time limit gets beyond it, for the worker to report its inputs' own limits itself first. */
const STUCK_WORKER_GRACE_MS = 1_000;

/** Partitions handed to the cluster's queue at once. */
const CLUSTER_IN_FLIGHT = 4_096;

/**
 * Runs a (fused) chain of map-like transforms over bundles of input blocks, on the task
 * pool or on the main thread. At most a few tasks beyond the CPU slots are in flight, and a
 * task's slot in that window is freed only when its result is downstream, so a slow
 * consumer stops this operator (backpressure).
 */
export async function runMapOp(op: MapOp, ctx: OperatorContext): Promise<void> {
  const cpusPerTask = op.compute.kind === 'tasks' ? op.compute.numCpus : 0;
  // A task that needs more CPU slots than the job has would wait for them forever.
  if (cpusPerTask > ctx.job.resources.cpus) {
    throw new InvalidOptionError(
      `${op.name} numCpus`,
      cpusPerTask,
      `at most the job's cpus (${ctx.job.resources.cpus}); lower numCpus or raise cpus`,
    );
  }
  const slots = Math.max(1, Math.floor(ctx.job.resources.cpus / cpusPerTask));
  // A task running and one queued behind it per slot (exec/task-lanes.ts).
  const maxInFlight = op.compute.kind === 'tasks' ? (op.compute.concurrency ?? 2 * slots) : 2;
  const role = ctx.job.partitionRoles.get(op);
  if (role?.kind === 'fused' && ctx.job.settings.cluster !== null) return runOnCluster(op, ctx, role.write);
  const lanes = op.compute.kind === 'tasks' ? new TaskLanes(() => ctx.job.taskPool, ctx.job.resources, cpusPerTask) : null;
  await runMapTasks(op, ctx, maxInFlight, (bundle, index, watched) => runOnce(op, ctx, bundle, index, lanes, watched));
}

/** How a map operator's loop runs its tasks. */
export interface TaskLoop {
  /** Each task is exactly one batch (actors). */
  readonly oneBatchPerTask?: boolean;
  /** Failed attempts are retried here (default); false where the tasks' runner retries them itself (BullMQ). */
  readonly retried?: boolean;
}

/**
 * The operator's loop, wherever its tasks run: bundles its input, keeps up to `maxInFlight`
 * tasks running (each inside the middleware hooks, with retries, each attempt under the job's
 * stuck-task watch, which `attempt` tells where it runs), and emits their results.
 */
export async function runMapTasks(
  op: MapOp,
  ctx: OperatorContext,
  maxInFlight: number,
  attempt: (bundle: Block, index: number, watched: WatchedTask) => Promise<TaskOutcome>,
  { oneBatchPerTask = false, retried = true }: TaskLoop = {},
): Promise<void> {
  // A write's output rows are its files: the stats count the rows written, and the files apart.
  const writes = outputsFiles(op.transforms);
  if (writes) ctx.stats.filesOut ??= 0;
  const role = ctx.job.partitionRoles.get(op) ?? null;
  // Partitions go on between the read and the write of a run even when empty: the write records them as done.
  const put = (block: Block) =>
    writes
      ? isEmptyPartitionRow(block)
        ? emit(ctx, block, 0, 0)
        : emitFiles(ctx, block)
      : role !== null
        ? emitAlways(ctx, block)
        : emit(ctx, block);
  const emitter = new OrderedEmitter(ctx.job.settings.preserveOrder, put);
  const inFlight = new Set<Promise<void>>();
  // Told when a task leaves the window: one waiter at most, as tasks are scheduled one after another.
  let onRoom: (() => void) | null = null;
  let failed = false;
  const stop = (error: unknown) => {
    failed = true;
    emitter.abandon(error);
  };
  ctx.signal.addEventListener('abort', () => stop(new CancelledError()), { once: true });
  const halted = () => failed || ctx.signal.aborted;

  const { memory } = ctx.job.resources;
  const taken = new TakenBytes(memory);
  const copies = taskCopies(op, writes);
  /**
   * Runs `bundle` as task `index` once the window has room and memory is reserved; its result
   * goes to `deliver`. False when the operator is stopping.
   */
  const schedule = async (bundle: Block, index: number, deliver: (block: Block) => Promise<void>): Promise<boolean> => {
    // Not Promise.race over the window: that leaves a reaction on every task in it at each wait.
    while (inFlight.size >= maxInFlight) await new Promise<void>((resolve) => (onRoom = resolve));
    if (halted()) return false;
    const inputBytes = blockBytes(bundle);
    const reservation = await taken.handOver(inputBytes, (extra) => memory.reserve(extra, op, ctx.signal), copies * inputBytes);
    if (halted()) {
      reservation.release();
      return false;
    }
    ctx.stats.tasks++;
    const call = { operator: op.name, taskIndex: index, batchSize: bundle.numRows };
    const watchedAttempt = (n: number) => ctx.job.watchAttempt(op, bundle, index, n, (watched) => attempt(bundle, index, watched));
    const task = ctx.job
      .runTask(op, call, () => (retried ? runWithRetries(op, ctx, bundle, index, watchedAttempt) : watchedAttempt(1)))
      .then((result) => {
        ctx.stats.udfMs += result.udfMs;
        ctx.job.recordSkipped(op, ctx.stats, result.skipped);
        // The workers' copies are gone; the input (kept for retries) and the output are held until it is downstream.
        reservation.resize(inputBytes + blockBytes(result.block));
        return deliver(result.block);
      })
      .catch((error: unknown) => {
        if (!(error instanceof CancelledError) && !ctx.signal.aborted) ctx.job.fail(error);
        stop(error);
      })
      .finally(() => {
        reservation.release();
        inFlight.delete(task);
        onRoom?.();
        onRoom = null;
      });
    inFlight.add(task);
    return true;
  };

  // A time limit is per batch: each task is then one batch, as for actors.
  const oneBatch = oneBatchPerTask || op.retry.timeoutMs !== undefined;
  const inputs = taken.count(consume(ctx, ctx.inputs[0]));
  const firstSchema = oneSchemaOf(op);
  const shard = role === null ? null : ctx.job.settings.shard;
  const ours = (partition: number) => shard === null || partition % shard.count === shard.index;
  const done = new Map((role?.write.doneTasks ?? []).map((entry) => [entry.task, entry.rows]));
  let taskIndex = 0;
  try {
    if (role?.kind === 'middle' || role?.kind === 'write') {
      let sequence = 0;
      if (role.kind === 'write')
        for (const [partition, rows] of done)
          if (ours(partition) && rows.length > 0) await emitter.emit(sequence++, blockFromRows(rows.map((row) => ({ ...row }))));
      for await (let block of inputs) {
        if (halted()) break;
        const partition = partitionOf(block, op.name);
        const at = sequence++;
        if (role.kind === 'write') {
          // One task per partition, named by it; a partition without rows is done without a file.
          if (block.numRows === 0) await emitter.emit(at, tagPartition(writes ? emptyPartitionRow(partition) : block, partition));
          else {
            if (firstSchema !== null) block = firstSchema.fit(block);
            if (!(await schedule(block, partition, (out) => emitter.emit(at, tagPartition(out, partition))))) break;
          }
          continue;
        }
        const group = new PartitionGroup(partition, (out) => emitter.emit(at, out));
        for await (const bundle of bundleInputs([block], op.transforms, oneBatch)) {
          if (bundle.numRows === 0) continue;
          const index = taskIndex++;
          group.expect(index);
          if (!(await schedule(bundle, index, (out) => group.add(index, out)))) break;
        }
        if (halted()) break;
        await group.seal();
      }
    } else if (op.givenPartitions === true) {
      // A cluster worker's read: each input block is a partition of the driver's, one task named by it.
      let sequence = 0;
      for await (const block of inputs) {
        if (halted()) break;
        const partition = partitionOf(block, op.name);
        const at = sequence++;
        if (!(await schedule(block, partition, (out) => emitter.emit(at, tagPartition(out, partition))))) break;
      }
    } else {
      // Emitted in sequence: the indices of another shard's partitions, or of done ones, never come.
      let sequence = 0;
      for await (let bundle of bundleInputs(inputs, op.transforms, oneBatch)) {
        if (halted()) break;
        // A block without rows (the schema of a dataset without any) gives a task nothing to do.
        if (bundle.numRows === 0) continue;
        const index = taskIndex++;
        // Another shard's partition: its process runs it.
        if (!ours(index)) continue;
        const doneRows = done.get(index);
        if (doneRows !== undefined) {
          // A resumed run's partition committed before: not run; in the write's own tasks, its file rows.
          if (role?.kind === 'fused') await emitter.emit(sequence++, blockFromRows(doneRows.map((row) => ({ ...row }))));
          continue;
        }
        if (firstSchema !== null) bundle = firstSchema.fit(bundle);
        const at = sequence++;
        const deliver = (out: Block) => emitter.emit(at, role?.kind === 'head' ? tagPartition(out, index) : out);
        if (!(await schedule(bundle, index, deliver))) break;
      }
    }
  } catch (error) {
    // Waiting for memory was cancelled: the operator is stopping.
    if (!(error instanceof CancelledError)) throw error;
  } finally {
    taken.releaseAll();
  }
  await Promise.all(inFlight);
  if ((role?.kind === 'head' || role?.kind === 'fused') && !halted()) ctx.stats.partitions = taskIndex;
}

/**
 * Cluster mode: each partition is a job for the workers (cluster/cluster-queue.ts), which retry
 * its failed attempts themselves; jobs are all handed over at once, up to CLUSTER_IN_FLIGHT,
 * since the queue, not this process, holds them.
 */
async function runOnCluster(op: MapOp, ctx: OperatorContext, write: PartitionedWrite): Promise<void> {
  const { runId, runKey } = write.partitioned;
  const queue = await ctx.job.clusterQueue();
  const first = op.transforms[0] as BlocksTransform;
  await runMapTasks(
    op,
    ctx,
    CLUSTER_IN_FLIGHT,
    (input, task, watched) =>
      queue.run(
        {
          runId,
          runKey,
          operator: op.name,
          task,
          transforms: op.transforms,
          input,
          attempts: op.retry.maxRetries + 1,
          retryExceptions: op.retry.retryExceptions,
          stages: op.stages ?? null,
          timeoutMs: first.timeoutMsPerRow === undefined ? null : first.timeoutMsPerRow * input.numRows + STUCK_WORKER_GRACE_MS,
        },
        ctx.signal,
        watched,
      ),
    { retried: false },
  );
}

/** The schema keeper of an operator whose first step holds its bundles to one schema (a write), else null. */
function oneSchemaOf(op: MapOp): FirstSchema | null {
  const first = op.transforms[0];
  return first?.op === 'blocks' && first.oneSchema !== undefined ? new FirstSchema(declaredTypes(first.oneSchema), first.name) : null;
}

/**
 * Copies of a task's input the job holds while it runs, in units of the input: the bundle
 * itself (kept for retries); on a worker or an actor, its copy there; for a write, the
 * encoder's copy and the encoded file besides.
 */
function taskCopies(op: MapOp, writes: boolean): number {
  const elsewhere = op.compute.kind === 'tasks' || op.compute.kind === 'actors';
  return 1 + (elsewhere ? 1 : 0) + (writes ? 2 : 0);
}

/**
 * Bytes an operator has taken from its input queue that no task holds yet (blocks being
 * bundled), counted against the memory budget until a task's reservation takes them over.
 */
class TakenBytes {
  private bytes = 0;

  constructor(private readonly memory: MemoryBudget) {}

  async *count(blocks: AsyncIterable<Block>): AsyncGenerator<Block> {
    for await (const block of blocks) {
      const size = blockBytes(block);
      this.bytes += size;
      this.memory.track(size);
      yield block;
    }
  }

  /** A reservation of `bytes` for a task whose input of `inputBytes` is already counted here: only the rest is asked for. */
  async handOver(inputBytes: number, reserve: (extra: number) => Promise<MemoryReservation>, bytes: number): Promise<MemoryReservation> {
    const counted = Math.min(this.bytes, inputBytes);
    const reservation = await reserve(Math.max(0, bytes - counted));
    reservation.resize(bytes);
    this.bytes -= counted;
    this.memory.track(-counted);
    return reservation;
  }

  releaseAll(): void {
    this.memory.track(-this.bytes);
    this.bytes = 0;
  }
}

/**
 * Task inputs: bundles of the batch size of the chain's first mapBatches when every step
 * before it keeps one row per input row (so `map(f).mapBatches(g, {batchSize})` hands g
 * exact batches; a whole multiple of it, or exactly one batch with `oneBatchPerTask`, as
 * actors take them, so that batches spread over the actors), or of a 'blocks' step's rows and
 * bytes: a write's file size (fusion leaves only column operations before a write, so the
 * bytes counted here are near the file's), a read's `fragmentsPerTask` fragment rows. After a
 * filter or flatMap the row count is unknown, and each block is a task.
 */
function bundleInputs(
  blocks: AsyncIterable<Block> | Iterable<Block>,
  transforms: readonly Transform[],
  oneBatchPerTask: boolean,
): AsyncGenerator<Block> {
  for (const t of transforms) {
    if (t.op === 'mapBatches')
      return oneBatchPerTask ? batchesOf(bundleBlocks(blocks, t.batchSize), t.batchSize) : bundleBlocks(blocks, t.batchSize);
    if (t.op === 'blocks') {
      return t.maxRows === Infinity && t.maxBytes === Infinity
        ? bundleBlocks(blocks, undefined)
        : bundleBySize(blocks, t.maxRows, t.maxBytes);
    }
    if (!isOneToOne(t)) break;
  }
  return bundleBlocks(blocks, undefined);
}

/** Exact batches (only the last one short), for operators whose every task is one call of the UDF. */
async function* batchesOf(bundles: AsyncIterable<Block>, batchSize: number | undefined): AsyncGenerator<Block> {
  for await (const bundle of bundles) yield* sliceIntoBatches(bundle, batchSize);
}

async function runOnce(
  op: MapOp,
  ctx: OperatorContext,
  bundle: Block,
  index: number,
  lanes: TaskLanes | null,
  watched: WatchedTask,
): Promise<TaskOutcome> {
  if (op.compute.kind === 'main' || op.compute.kind === 'any') {
    const concurrency = op.compute.kind === 'main' ? op.compute.concurrency : DEFAULT_ROW_CONCURRENCY;
    const place = { thread: 'main thread', startedAt: Date.now() };
    watched.runsAt(() => place);
    const run = runChain(bundle, op.transforms, { taskIndex: index, concurrency, resolve: resolveOnMain, signal: ctx.signal });
    // A call that never returns (a request without a timeout) would hold a stalled job open for good.
    return ctx.job.settings.stallTimeoutMs === null ? run : untilAborted(run, ctx.job.stalled);
  }
  const call: PoolCall = {
    block: bundle,
    transforms: op.transforms,
    taskIndex: index,
    concurrency: DEFAULT_ROW_CONCURRENCY,
    watched,
    sharedReplyBytes: sharedReplyLimit(ctx.job.settings.memoryBudget),
  };
  // A read's limit is per file (its input rows), plus a grace for the worker to report its own limits first.
  const first = op.transforms[0];
  const perFile = first?.op === 'blocks' && first.timeoutMsPerRow !== undefined ? first : null;
  const limit = perFile ? perFile.timeoutMsPerRow! * bundle.numRows + STUCK_WORKER_GRACE_MS : op.retry.timeoutMs;
  // Aborting a task at its limit ends its worker (piscina starts another), which a worker stuck without yielding needs.
  const outcome = await lanes!.run(call, ctx.signal, limit);
  if (outcome !== 'timeout') return outcome;
  if (perFile) return filesTimedOut(perFile, bundle, index, limit!);
  // The retry policy decides what follows.
  throw new TaskTimeoutError(op.name, batchLocation(bundle, index), limit!);
}

/**
 * A read task past its files' limits together: the worker keeps each file's own limit and gives
 * up on that file alone, so this is a worker stuck without yielding (a parser in a loop), ended
 * by the abort. All of the task's files fail, or are skipped under `onError: 'skip'`; files are
 * named by the input's `path` column.
 */
function filesTimedOut(step: BlocksTransform, bundle: Block, index: number, timeoutMs: number): TaskOutcome {
  const pathColumn = bundle.getChild('path');
  const paths = pathColumn === null ? [] : [...new Set(columnValues(pathColumn).map(String))];
  const problem = timeoutProblem(timeoutMs, true);
  if (step.onError === 'fail') throw fileError(step.name, { taskIndex: index, path: paths.join(', ') }, problem, TIMEOUT_HINT);
  const skipped = paths.map((path) => ({ operator: step.name, input: { taskIndex: index, path }, message: problem, rows: 1 }));
  return { block: emptyBlock(), skipped, udfMs: timeoutMs };
}

/** A step's function on the main thread: a plain function, or a module export (a sink's writer on a cluster worker). */
function resolveOnMain(ref: FnRef): ((...args: unknown[]) => unknown) | Promise<(...args: unknown[]) => unknown> {
  if (ref.kind === 'local') return ref.fn as (...args: unknown[]) => unknown;
  return loadModuleFn(ref) as Promise<(...args: unknown[]) => unknown>;
}

/**
 * Retries a task with exponential backoff: after a worker crash or a timeout up to
 * `maxRetries` times, after an error thrown by the UDF only when `retryExceptions` is set. A
 * task that timed out (or crashed its worker) on every attempt fails with a TaskTimeoutError
 * (a WorkerCrashError), or, when every step of the chain skips errors (`onError: 'skip'`), its
 * rows are skipped and logged with their location, like a UDF's error.
 */
async function runWithRetries(
  op: MapOp,
  ctx: OperatorContext,
  bundle: Block,
  taskIndex: number,
  attempt: (n: number) => Promise<TaskOutcome>,
): Promise<TaskOutcome> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt(failures + 1);
    } catch (error) {
      if (ctx.signal.aborted) throw new CancelledError();
      const timedOut = error instanceof TaskTimeoutError;
      // An actor pool retries its crashes itself (restarting the actor): what reaches here from
      // it is a UDF error, a timeout, or the pool's own failure, which no retry would cure.
      const crashed = op.compute.kind === 'tasks' && !(error instanceof UdfError);
      const retryable = crashed || timedOut || (op.retry.retryExceptions && (op.compute.kind !== 'actors' || error instanceof UdfError));
      const retrying = retryable && failures < op.retry.maxRetries;
      ctx.job.taskFailed(op, taskIndex, failures + 1, error, crashed || timedOut, retrying);
      if (retrying) {
        ctx.stats.retries++;
        await sleep(Math.min(50 * 2 ** failures, 2_000), ctx.signal);
        continue;
      }
      if (timedOut) return gaveUp(op, bundle, new TaskTimeoutError(op.name, error.input, error.timeoutMs, failures + 1));
      if (crashed) return gaveUp(op, bundle, new WorkerCrashError(op.name, failures + 1, error, batchLocation(bundle, taskIndex)));
      throw error;
    }
  }
}

/** A task given up on: skipped and logged when every step of the chain skips errors, else the job's error. */
function gaveUp(op: MapOp, bundle: Block, error: TaskTimeoutError | WorkerCrashError): TaskOutcome {
  // A read's or write's 'blocks' step has no say: only the UDFs' own onError does.
  const udfSteps = op.transforms.filter((t) => 'onError' in t && t.op !== 'blocks');
  if (udfSteps.length === 0 || udfSteps.some((t) => 'onError' in t && t.onError !== 'skip')) throw error;
  return {
    block: emptyBlock(),
    skipped: [{ operator: op.name, input: error.input, message: error.message, rows: bundle.numRows, error: thrownError(error) }],
    udfMs: 0,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      forget();
      resolve();
    }, ms);
    const forget = onAbort(signal, () => {
      clearTimeout(timer);
      reject(new CancelledError());
    });
  });
}
