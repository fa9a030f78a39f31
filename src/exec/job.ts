import { setMaxListeners } from 'node:events';
import type { ClusterQueue } from '../cluster/cluster-queue.js';
import { middlewareList, workerHeapLimitMb, type ExecutionSettings } from './settings.js';
import type { Block } from '../blocks/block.js';
import { batchLocation } from '../blocks/batch-location.js';
import { causeMessage, type InputLocation } from '../errors.js';
import { readTaskLocation } from '../io/read/index.js';
import { JobEvents } from '../observe/events.js';
import { withMiddleware, type UdfCall, type UdfMiddleware } from '../observe/middleware.js';
import { newOperatorStats, type OperatorStats } from '../observe/stats.js';
import { stuckTaskLine, TaskWatch, type StuckTask, type WatchedTask } from '../observe/task-watch.js';
import type { PhysicalOf, PhysicalOp } from '../plan/physical.js';
import { acquireTaskPool, releaseTaskPool, type TaskPool } from '../pools/task-pool.js';
import { ErrorLog } from './error-log.js';
import type { PartitionRole } from './partition-chain.js';
import { resolveGpuIds } from './gpu-discovery.js';
import { ResourceManager } from './resource-manager.js';
import type { SkippedInput, TaskOutcome } from '../tasks/task-outcome.js';

let lastJobId = 0;

/** An actor pool's actors: live ones, and those with a call in flight. */
export interface ActorLoad {
  readonly live: number;
  readonly busy: number;
}

/**
 * One run of a plan: its settings, resources, worker pool, error log, statistics and events.
 * The first operator error fails the job, which aborts every operator.
 */
export class Job {
  readonly id = ++lastJobId;
  readonly resources: ResourceManager;
  readonly errorLog: ErrorLog;
  readonly events: JobEvents;
  readonly stats = new Map<PhysicalOp, OperatorStats>();
  /** Every task attempt and actor call running now: reports the stuck ones, fails a stalled job (stallTimeoutMs); `watch.stuck()` lists them. */
  readonly watch: TaskWatch;
  /** The operators of runs' partitioned chains, with their roles (set by the executor before operators start). */
  partitionRoles: ReadonlyMap<PhysicalOp, PartitionRole> = new Map();
  readonly started = performance.now();
  /** Where the job's own lines go (a stuck task): the job's progress once it has started (set by the executor), stderr before. */
  logLine: (line: string) => void = (line) => void process.stderr.write(line);
  private readonly middleware: readonly UdfMiddleware[];
  private readonly active = new Map<PhysicalOp, number>();
  private readonly actorLoads = new Map<PhysicalOp, () => ActorLoad>();
  private readonly controller = new AbortController();
  private readonly stall = new AbortController();
  private pool: TaskPool | null = null;
  private cluster: Promise<{ queue: ClusterQueue; release: (queue: ClusterQueue) => Promise<void> }> | null = null;
  /**
   * Set by close(). The monitor asks for the cluster's workers on its own clock, and one ask
   * after the job's end opened the queue again (two Redis connections nobody closed): the
   * script never exited. A job that has ended opens nothing.
   */
  private closed = false;
  private failure: { error: unknown } | null = null;

  constructor(readonly settings: ExecutionSettings) {
    this.resources = new ResourceManager(settings.cpus, settings.memoryBudget, () => resolveGpuIds(settings.gpus));
    this.errorLog = new ErrorLog(settings.errorLog);
    this.events = new JobEvents(this.id, settings.onEvent);
    this.middleware = middlewareList(settings.middleware);
    this.watch = new TaskWatch({
      stuckTaskMs: settings.stuckTaskMs,
      stallTimeoutMs: settings.stallTimeoutMs,
      rowsMoved: () => {
        let rows = 0;
        for (const stats of this.stats.values()) rows += stats.rowsIn + stats.rowsOut;
        return rows;
      },
      onStuck: (task) => this.reportStuck(task),
      onStall: (error) => {
        this.fail(error);
        this.stall.abort(error);
      },
    });
    // Every operator listens for the job's abort (and main-thread tasks for its stall); a long plan (a union of many inputs) is not a leak.
    setMaxListeners(0, this.controller.signal, this.stall.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Aborted when the job stalled (stallTimeoutMs): what runs on the main thread and has not
   * returned by then (a UDF's call, a source's next rows) is given up on rather than awaited,
   * so that the job ends with its StallTimeoutError.
   */
  get stalled(): AbortSignal {
    return this.stall.signal;
  }

  get error(): { error: unknown } | null {
    return this.failure;
  }

  /**
   * The task pool, taken on first use (the previous job's, when it ended cleanly): a job of
   * main-thread operators starts no threads.
   */
  get taskPool(): TaskPool {
    return (this.pool ??= acquireTaskPool(this.settings.cpus, workerHeapLimitMb(this.settings)));
  }

  /** Cluster mode's queue (settings.cluster), opened on first use; BullMQ is loaded only by jobs that use it. */
  async clusterQueue(): Promise<ClusterQueue> {
    const settings = this.settings.cluster;
    if (settings === null) throw new Error('internal: the cluster queue of a job outside cluster mode');
    if (this.closed) throw new Error('internal: the cluster queue of a job that has ended');
    this.cluster ??= import('../cluster/cluster-queue.js').then(async ({ acquireClusterQueue, releaseClusterQueue }) => ({
      queue: await acquireClusterQueue(settings),
      release: releaseClusterQueue,
    }));
    return (await this.cluster).queue;
  }

  statsFor(op: PhysicalOp): OperatorStats {
    let stats = this.stats.get(op);
    if (!stats) this.stats.set(op, (stats = newOperatorStats(op.name)));
    return stats;
  }

  /** Runs one task of a map-like operator inside the middleware hooks, counting it as active meanwhile (for progress). */
  async runTask<T extends { readonly block: Block }>(op: PhysicalOp, call: UdfCall, task: () => Promise<T>): Promise<T> {
    this.active.set(op, this.activeTasks(op) + 1);
    try {
      return await withMiddleware(this.middleware, call, task, (result) => result.block.numRows);
    } finally {
      this.active.set(op, this.activeTasks(op) - 1);
    }
  }

  /**
   * Runs one attempt of a task of a map-like operator under the watch; `run` tells the watched
   * task where it runs once it does (a worker thread, an actor, the main thread).
   */
  async watchAttempt(
    op: PhysicalOf<'Map'>,
    bundle: Block,
    taskIndex: number,
    attempt: number,
    run: (watched: WatchedTask) => Promise<TaskOutcome>,
  ): Promise<TaskOutcome> {
    const watched = this.watch.start({ operator: op.name, taskIndex, attempt, input: () => taskInput(op, bundle, taskIndex) });
    let udfMs: number | undefined;
    try {
      const outcome = await run(watched);
      udfMs = outcome.udfMs;
      return outcome;
    } finally {
      watched.end(udfMs);
    }
  }

  activeTasks(op: PhysicalOp): number {
    return this.active.get(op) ?? 0;
  }

  /** Registers how to count an actor-pool operator's live actors and those with a call in flight (for progress and the dashboard). */
  trackActors(op: PhysicalOp, load: () => ActorLoad): void {
    this.actorLoads.set(op, load);
  }

  /** Live actors of an operator; null for an operator that runs no actor pool. */
  actors(op: PhysicalOp): number | null {
    return this.actorLoad(op)?.live ?? null;
  }

  /** Live and busy actors of an operator; null for an operator that runs no actor pool. */
  actorLoad(op: PhysicalOp): ActorLoad | null {
    return this.actorLoads.get(op)?.() ?? null;
  }

  /** Cluster mode's workers, as its queue's Redis lists them. */
  async clusterWorkers(): Promise<{ name: string; address: string }[]> {
    return (await this.clusterQueue()).workers();
  }

  /** A task attempt failed: reports the lost worker (a crash) and the retry to come, if any. */
  taskFailed(op: PhysicalOp, taskIndex: number, attempt: number, error: unknown, crashed: boolean, retrying: boolean): void {
    const message = causeMessage(error);
    if (crashed) this.events.emit({ type: 'worker-replaced', operator: op.name, taskIndex, message });
    if (retrying) this.events.emit({ type: 'task-retry', operator: op.name, taskIndex, attempt: attempt + 1, message });
  }

  /**
   * Inputs dropped under `onError: 'skip'`: counted, written to the error log and reported as
   * events. A file (or Parquet row group) that a step over files (a read) could not read is a 'file-skipped'
   * event; anything else, a reader's bad record (which names its line) included, 'row-skipped'.
   */
  recordSkipped(op: PhysicalOp, stats: OperatorStats, entries: readonly SkippedInput[]): void {
    if (entries.length === 0) return;
    stats.skippedRows += entries.reduce((n, e) => n + e.rows, 0);
    this.errorLog.record(entries);
    for (const entry of entries) {
      const fields = { operator: op.name, step: entry.operator, input: entry.input, rows: entry.rows, message: entry.message };
      const { path, line } = entry.input;
      const ofFiles =
        op.kind === 'Map' && op.transforms.some((t) => t.op === 'blocks' && t.inputs === 'files' && t.name === entry.operator);
      this.events.emit(
        path !== undefined && line === undefined && ofFiles
          ? { type: 'file-skipped', path, ...fields }
          : { type: 'row-skipped', ...fields },
      );
    }
  }

  /**
   * A stuck task: an event, and a line where the job's progress goes (a user who sent progress
   * to a log finds it there), else on stderr: a warning is shown even with progress 'off'.
   */
  private reportStuck(task: StuckTask): void {
    const { operator, taskIndex, attempt, input, thread, runningMs, thresholdMs } = task;
    this.events.emit({ type: 'task-stuck', operator, taskIndex, attempt, input, thread, runningMs, thresholdMs });
    this.logLine(stuckTaskLine(task));
  }

  fail(error: unknown): void {
    if (this.failure === null) this.failure = { error };
    this.controller.abort();
  }

  abort(): void {
    this.controller.abort();
  }

  /**
   * Hands the worker threads back (kept for the next job when every task ended cleanly; shut
   * down after a cancel, a crash or an abort, so the process can exit at once) and writes the
   * error log out.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.watch.close();
    const pool = this.pool;
    this.pool = null;
    const cluster = this.cluster;
    this.cluster = null;
    const releaseCluster = cluster?.then(
      ({ queue, release }) => release(queue),
      () => undefined,
    );
    await Promise.all([pool && releaseTaskPool(pool), releaseCluster, this.errorLog.flush()]);
  }
}

/** A task's input as a stuck-task report names it: a read's files and parts, else its rows (and the file of the first). */
function taskInput(op: PhysicalOf<'Map'>, bundle: Block, taskIndex: number): InputLocation {
  const first = op.transforms[0];
  return first?.op === 'blocks' && first.inputs === 'files' ? readTaskLocation(bundle, taskIndex) : batchLocation(bundle, taskIndex);
}
