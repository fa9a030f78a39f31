import { setMaxListeners } from 'node:events';
import type { ClusterQueue } from '../cluster/cluster-queue.js';
import { middlewareList, workerHeapLimitMb, type ExecutionSettings } from './settings.js';
import type { Block } from '../blocks/block.js';
import { causeMessage } from '../errors.js';
import { JobEvents } from '../observe/events.js';
import { withMiddleware, type UdfCall, type UdfMiddleware } from '../observe/middleware.js';
import { newOperatorStats, type OperatorStats } from '../observe/stats.js';
import type { PhysicalOp } from '../plan/physical.js';
import { acquireTaskPool, releaseTaskPool, type TaskPool } from '../pools/task-pool.js';
import { ErrorLog } from './error-log.js';
import type { PartitionRole } from './partition-chain.js';
import { resolveGpuIds } from './gpu-discovery.js';
import { ResourceManager } from './resource-manager.js';
import type { SkippedInput } from '../tasks/task-outcome.js';

let lastJobId = 0;

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
  /** The operators of runs' partitioned chains, with their roles (set by the executor before operators start). */
  partitionRoles: ReadonlyMap<PhysicalOp, PartitionRole> = new Map();
  readonly started = performance.now();
  private readonly middleware: readonly UdfMiddleware[];
  private readonly active = new Map<PhysicalOp, number>();
  private readonly actorCounts = new Map<PhysicalOp, () => number>();
  private readonly controller = new AbortController();
  private pool: TaskPool | null = null;
  private cluster: Promise<{ queue: ClusterQueue; release: (queue: ClusterQueue) => Promise<void> }> | null = null;
  private failure: { error: unknown } | null = null;

  constructor(readonly settings: ExecutionSettings) {
    this.resources = new ResourceManager(settings.cpus, settings.memoryBudget, () => resolveGpuIds(settings.gpus));
    this.errorLog = new ErrorLog(settings.errorLog);
    this.events = new JobEvents(this.id, settings.onEvent);
    this.middleware = middlewareList(settings.middleware);
    // Every operator listens for the job's abort; a long plan (a union of many inputs) is not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
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

  activeTasks(op: PhysicalOp): number {
    return this.active.get(op) ?? 0;
  }

  /** Registers how to count an actor-pool operator's live actors (for progress). */
  trackActors(op: PhysicalOp, count: () => number): void {
    this.actorCounts.set(op, count);
  }

  /** Live actors of an operator; null for an operator that runs no actor pool. */
  actors(op: PhysicalOp): number | null {
    return this.actorCounts.get(op)?.() ?? null;
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
