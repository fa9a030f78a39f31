import { setMaxListeners } from 'node:events';
import type { ExecutionSettings } from '../api/settings.js';
import { newOperatorStats, type OperatorStats } from '../observe/stats.js';
import type { PhysicalOp } from '../plan/physical.js';
import { acquireTaskPool, releaseTaskPool, type TaskPool } from '../pools/task-pool.js';
import { ErrorLog } from './error-log.js';
import { ResourceManager } from './resource-manager.js';

/**
 * One run of a plan: its settings, resources, worker pool, error log and statistics. The
 * first operator error fails the job, which aborts every operator.
 */
export class Job {
  readonly resources: ResourceManager;
  readonly errorLog: ErrorLog;
  readonly stats = new Map<PhysicalOp, OperatorStats>();
  readonly started = performance.now();
  private readonly controller = new AbortController();
  private pool: TaskPool | null = null;
  private failure: { error: unknown } | null = null;

  constructor(readonly settings: ExecutionSettings) {
    this.resources = new ResourceManager(settings.cpus, settings.memoryBudget);
    this.errorLog = new ErrorLog(settings.errorLog);
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
    return (this.pool ??= acquireTaskPool(this.settings.cpus));
  }

  statsFor(op: PhysicalOp): OperatorStats {
    let stats = this.stats.get(op);
    if (!stats) this.stats.set(op, (stats = newOperatorStats(op.name)));
    return stats;
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
    await Promise.all([pool && releaseTaskPool(pool), this.errorLog.flush()]);
  }
}
