import { describeRunningTask, StallTimeoutError, type InputLocation, type RunningTask } from '../errors.js';

/** Where a task attempt runs, and since when (epoch ms). */
export interface TaskPlace {
  readonly thread: string;
  readonly startedAt: number;
}

/** A task attempt as the job dispatches it. */
export interface TaskInfo {
  readonly operator: string;
  readonly taskIndex: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Its input, asked for only when the task is reported (reading a read task's fragments costs a little). */
  readonly input: () => InputLocation;
}

/** A task attempt under watch; the code that dispatches it says where it runs. */
export interface WatchedTask {
  /**
   * Where the attempt runs: `where` is asked at every look and answers null while the attempt
   * waits (in a pool's queue, behind an actor's other calls). Until this is called it waits too;
   * a later call (the batch sent to another actor) replaces the earlier.
   */
  runsAt(where: () => TaskPlace | null): void;
  /** The attempt is over; `udfMs`, from one that succeeded, joins its operator's durations. */
  end(udfMs?: number): void;
}

/** A task attempt running past its threshold: max(stuckTaskMs, 5 x its operator's median duration). */
export interface StuckTask extends RunningTask {
  readonly thresholdMs: number;
}

export interface TaskWatchOptions {
  readonly stuckTaskMs: number;
  /** No task finished and no row moved for this long fails the job; null: never. */
  readonly stallTimeoutMs: number | null;
  /** Rows the job's operators took in and gave out so far: any change is progress. */
  readonly rowsMoved: () => number;
  /** A task passed its threshold: told once per attempt. */
  readonly onStuck: (task: StuckTask) => void;
  readonly onStall: (error: StallTimeoutError) => void;
}

/** A task is stuck past this many times its operator's median duration (and past stuckTaskMs). */
const MEDIAN_FACTOR = 5;
/** Recent durations kept per operator for its median. */
const DURATIONS_KEPT = 63;
/** The longest pause between two looks; shorter thresholds are looked at four times as often. */
const LOOK_MS = 1_000;

interface Attempt {
  readonly info: TaskInfo;
  where: (() => TaskPlace | null) | null;
  input: InputLocation | null;
  reported: boolean;
}

/**
 * Knows every task attempt and actor call of a job that runs now. A timer (from the first task
 * or, with a stall timeout, from the start, to `close()`) reports each attempt that runs past its
 * threshold once, and fails the job when for `stallTimeoutMs` no task finished and no row moved.
 * `stuck()` is what runs past its threshold now (the dashboard polls it).
 */
export class TaskWatch {
  private readonly running = new Set<Attempt>();
  private readonly durations = new Map<string, Durations>();
  private readonly lookMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Attempts over, for the stall check. */
  private ended = 0;
  /** Tasks ended and rows moved at the last look that saw a change, and when. */
  private lastProgress = -1;
  private lastProgressAt = Date.now();
  private stalled = false;

  constructor(private readonly options: TaskWatchOptions) {
    this.lookMs = Math.min(LOOK_MS, Math.max(20, Math.min(options.stuckTaskMs, options.stallTimeoutMs ?? Infinity) / 4));
    if (options.stallTimeoutMs !== null) this.startTimer();
  }

  start(info: TaskInfo): WatchedTask {
    const attempt: Attempt = { info, where: null, input: null, reported: false };
    this.running.add(attempt);
    this.startTimer();
    return {
      runsAt: (where) => (attempt.where = where),
      end: (udfMs) => {
        if (!this.running.delete(attempt)) return;
        this.ended++;
        if (udfMs !== undefined) this.durationsOf(info.operator).add(udfMs);
      },
    };
  }

  /** The attempts running past their threshold now, longest first. */
  stuck(): readonly StuckTask[] {
    const now = Date.now();
    return this.runningNow(now).flatMap(({ attempt, task }) => {
      const thresholdMs = this.thresholdOf(task.operator);
      return task.runningMs >= thresholdMs ? [{ ...task, input: this.inputOf(attempt), thresholdMs }] : [];
    });
  }

  /** Stops looking (at the end of the job). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private startTimer(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setInterval(() => this.look(), this.lookMs);
    // Only a stall timeout keeps the process alive, until it fires: a job waiting on a promise that
    // holds nothing open (one that never settles) then fails with its error instead of exiting unseen.
    if (this.options.stallTimeoutMs === null) this.timer.unref();
  }

  private look(): void {
    const now = Date.now();
    for (const { attempt, task } of this.runningNow(now)) {
      if (attempt.reported) continue;
      const thresholdMs = this.thresholdOf(task.operator);
      if (task.runningMs < thresholdMs) continue;
      attempt.reported = true;
      this.options.onStuck({ ...task, input: this.inputOf(attempt), thresholdMs });
    }
    this.lookForStall(now);
  }

  private lookForStall(now: number): void {
    const { stallTimeoutMs } = this.options;
    if (stallTimeoutMs === null || this.stalled) return;
    const progress = this.ended + this.options.rowsMoved();
    if (progress !== this.lastProgress) {
      this.lastProgress = progress;
      this.lastProgressAt = now;
      return;
    }
    if (now - this.lastProgressAt < stallTimeoutMs) return;
    this.stalled = true;
    this.timer?.unref();
    const running = this.runningNow(now).map(({ attempt, task }) => ({ ...task, input: this.inputOf(attempt) }));
    this.options.onStall(new StallTimeoutError(stallTimeoutMs, running, this.running.size - running.length));
  }

  /** The attempts on a thread now, longest first, their input not yet read. */
  private runningNow(now: number): { attempt: Attempt; task: Omit<RunningTask, 'input'> }[] {
    const found: { attempt: Attempt; task: Omit<RunningTask, 'input'> }[] = [];
    for (const attempt of this.running) {
      const place = attempt.where?.() ?? null;
      if (place === null) continue;
      const { operator, taskIndex } = attempt.info;
      const { thread, startedAt } = place;
      found.push({ attempt, task: { operator, taskIndex, attempt: attempt.info.attempt, thread, startedAt, runningMs: now - startedAt } });
    }
    return found.sort((a, b) => b.task.runningMs - a.task.runningMs);
  }

  private inputOf(attempt: Attempt): InputLocation {
    return (attempt.input ??= attempt.info.input());
  }

  private thresholdOf(operator: string): number {
    const median = this.durations.get(operator)?.median ?? 0;
    return Math.max(this.options.stuckTaskMs, MEDIAN_FACTOR * median);
  }

  private durationsOf(operator: string): Durations {
    let durations = this.durations.get(operator);
    if (durations === undefined) this.durations.set(operator, (durations = new Durations()));
    return durations;
  }
}

/** An operator's recent task durations, in a ring; the median is worked out when asked after a change. */
class Durations {
  private readonly values: number[] = [];
  private next = 0;
  private cached: number | null = null;

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % DURATIONS_KEPT;
    this.cached = null;
  }

  get median(): number {
    if (this.cached === null) {
      const sorted = this.values.toSorted((a, b) => a - b);
      this.cached = sorted[Math.floor(sorted.length / 2)] ?? 0;
    }
    return this.cached;
  }
}

/** The line a stuck task gets in the job's log (stderr, or the progress stream). */
export function stuckTaskLine(task: StuckTask): string {
  return `sluice: ${describeRunningTask(task, task.thresholdMs)}\n`;
}
