import { CancelledError } from '../errors.js';
import { newStartMark, withdrawStart } from '../pools/start-mark.js';
import { NOT_STARTED, type PoolCall, type TaskPool } from '../pools/task-pool.js';
import { withDeadline } from '../tasks/race-timeout.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import type { ResourceManager } from './resource-manager.js';

/** How a queued task came to hold its CPU slots: the task before it ended, or an idle worker's slots took it over. */
type Handover = 'after' | 'stolen';

/** One task of the operator, from the moment it has a place (slots, or a place in a worker's queue) until it ends. */
class LaneTask {
  /** The worker it was handed to (a thread id); null until piscina places it. */
  worker: number | null = null;
  /** The task queued behind it, on its worker. */
  next: LaneTask | null = null;
  holding = false;
  ended = false;
  /** Its mark while it waits in a worker's queue: withdrawn when an idle worker's slots take it over. */
  readonly mark = newStartMark();
  readonly slots: Promise<Handover>;
  private grant: (how: Handover) => void = () => {};

  /** `behind`: the task whose worker it is queued on, until it holds slots; null: it holds them. */
  constructor(public behind: LaneTask | null) {
    this.slots = new Promise((resolve) => (this.grant = resolve));
    if (behind === null) this.take('after');
  }

  take(how: Handover): void {
    this.holding = true;
    this.behind = null;
    this.grant(how);
  }
}

/**
 * An operator's tasks on the task pool, each worker's next task sent while the worker still
 * runs one (queued behind it there), so that the worker begins it as the one before ends
 * instead of after a round trip through the main thread (~2.6 ms per task, measured on PDF
 * reads: bench/RESULTS.md). The job's CPU slots still count what runs:
 * - a task takes free slots, or, when none are free and no one else waits for slots, a place
 *   behind a running task of this operator that has none behind it; else it waits for slots;
 * - a task that ends hands its slots to the task queued behind it, which its worker now runs;
 * - a task that ends with none behind it hands its slots to a task queued behind another that
 *   has not begun (withdrawn from that worker, sent to the idle one), so a long task does not
 *   keep the next waiting while a worker idles; else it frees them.
 * A queued task's time limit counts from when it holds slots, and a queued task that never began
 * (its worker ended under the task before it) is sent again, not charged an attempt.
 */
export class TaskLanes {
  /** Tasks that hold slots, run on a known worker and have none queued behind them, oldest first. */
  private readonly open = new Set<LaneTask>();
  /** Tasks queued behind another that hold no slots yet. */
  private readonly queued = new Set<LaneTask>();

  constructor(
    private readonly pool: () => TaskPool,
    private readonly resources: ResourceManager,
    private readonly cpus: number,
  ) {}

  /** Runs `call` on the pool, within `limitMs` of holding slots if given. */
  async run(call: PoolCall, signal: AbortSignal, limitMs: number | undefined): Promise<TaskOutcome | 'timeout'> {
    const task = await this.enter(signal);
    try {
      const work = (taskSignal: AbortSignal) => this.dispatch(task, call, taskSignal);
      return limitMs === undefined ? await work(signal) : await withDeadline(limitMs, signal, work, task.slots);
    } finally {
      this.leave(task);
    }
  }

  private async enter(signal: AbortSignal): Promise<LaneTask> {
    if (this.resources.tryAcquireTaskCpus(this.cpus)) return new LaneTask(null);
    const before = this.resources.cpusWanted ? undefined : this.open.values().next().value;
    if (before !== undefined) {
      this.open.delete(before);
      const task = new LaneTask(before);
      before.next = task;
      this.queued.add(task);
      return task;
    }
    await this.resources.acquireTaskCpus(this.cpus, signal);
    return new LaneTask(null);
  }

  private async dispatch(task: LaneTask, call: PoolCall, signal: AbortSignal): Promise<TaskOutcome> {
    // A task whose slots came before it was sent (the task before it ended first) is sent as a task of its own.
    const before = task.behind;
    if (before !== null) {
      task.worker = before.worker;
      // Settled into a value at once: a stolen task's first sending is never awaited.
      const queued: Promise<{ outcome: TaskOutcome | typeof NOT_STARTED } | { error: unknown }> = this.pool()
        .runBehind(before.worker!, task.mark, call, signal)
        .then(
          (outcome) => ({ outcome }),
          (error: unknown) => ({ error }),
        );
      if ((await task.slots) === 'after') {
        const settled = await queued;
        if ('error' in settled) throw settled.error;
        if (settled.outcome !== NOT_STARTED) return settled.outcome;
      }
      if (signal.aborted) throw new CancelledError();
    }
    return this.pool().run(call, signal, (worker) => {
      task.worker = worker;
      this.reopen(task);
    });
  }

  private leave(task: LaneTask): void {
    task.ended = true;
    this.open.delete(task);
    const next = task.next;
    if (next !== null) {
      this.queued.delete(next);
      next.take('after');
      this.reopen(next);
      return;
    }
    const stolen = this.resources.cpusWanted ? null : this.withdrawQueued();
    if (stolen !== null) stolen.take('stolen');
    else this.resources.releaseTaskCpus(this.cpus);
  }

  /** A queued task its worker has not begun, taken out of that worker's queue; null when there is none. */
  private withdrawQueued(): LaneTask | null {
    for (const task of this.queued) {
      if (!withdrawStart(task.mark)) continue;
      this.queued.delete(task);
      const before = task.behind!;
      before.next = null;
      this.reopen(before);
      return task;
    }
    return null;
  }

  private reopen(task: LaneTask): void {
    if (task.holding && !task.ended && task.next === null && task.worker !== null) this.open.add(task);
  }
}
