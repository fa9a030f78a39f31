import { causeMessage, describeLocation, describeRunningTask, describeTaskInput, type InputLocation, type RunningTask } from '../errors.js';
import type {
  ActorView,
  ClusterWorkerView,
  LogEntry,
  OperatorSample,
  PlanNodeView,
  RunOutcome,
  RunSample,
  RunSummary,
  RunUpdate,
  RunView,
  StuckTaskView,
} from './dashboard/client/run-view.js';
import type { SluiceEvent } from './events.js';
import { ProcessUsage } from './process-usage.js';
import type { OperatorStats } from './stats.js';

/** What the monitor reads of one running operator (the executor's queues, pools and stats). */
export interface MonitoredOperator {
  readonly node: PlanNodeView;
  readonly stats: OperatorStats;
  /** Blocks and bytes waiting in its output queue. */
  queued(): { readonly blocks: number; readonly bytes: number };
  /** Time its producers have waited for room downstream so far. */
  backpressureMs(): number;
  activeTasks(): number;
  /** Live actors and those with a call in flight; null for an operator without an actor pool. */
  actors(): { readonly live: number; readonly busy: number } | null;
}

export interface RunMonitorSources {
  readonly jobId: number;
  readonly cpus: number;
  readonly memoryBudget: number;
  readonly plan: readonly PlanNodeView[];
  /** In plan order. */
  readonly operators: readonly MonitoredOperator[];
  heldBytes(): number;
  /** The tasks past their stuck threshold, running now (observe/task-watch.ts). */
  stuck(): readonly RunningTask[];
  /** Cluster mode's workers; null outside it. */
  readonly workers: (() => Promise<readonly ClusterWorkerView[]>) | null;
}

/** How often the run is sampled and a live page told: at most two updates a second. */
const TICK_MS = 500;
/** The time line keeps at most this many samples: past it, every other one goes and samples are kept half as often. */
const MAX_SAMPLES = 2_000;
const MAX_LOG = 200;
const MAX_STUCK = 50;
/** Cluster workers are looked up at most this often (a Redis round trip). */
const WORKERS_EVERY_MS = 5_000;

/**
 * The run as the dashboard and the report see it: a time line of samples of every operator
 * (counters, queues, tasks, actors) and of the process, the latest log entries from the job's
 * events, and the tasks reported stuck. Sampling is a few counters read every TICK_MS on the
 * main thread (unref'd timer); listeners (the live page) get each sample as an update.
 */
export class RunMonitor {
  readonly startedAt = Date.now();
  private readonly started = performance.now();
  private readonly samples: RunSample[] = [];
  private keepEveryMs = TICK_MS;
  private lastKept = -Infinity;
  private readonly log: LogEntry[] = [];
  private newLog: LogEntry[] = [];
  private readonly stuckTasks = new Map<string, StuckTaskView>();
  private readonly actors = new Map<string, ActorView>();
  private workers: readonly ClusterWorkerView[] | null;
  private workersAsked = -Infinity;
  private outcome: RunOutcome = 'running';
  private endedAt: number | null = null;
  private error: string | null = null;
  private readonly usage = new ProcessUsage();
  private readonly listeners = new Set<(update: RunUpdate) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sources: RunMonitorSources) {
    this.workers = sources.workers === null ? null : [];
  }

  get jobId(): number {
    return this.sources.jobId;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** The job's events, as its listener: log entries, live actors, the outcome. */
  readonly onEvent = (event: SluiceEvent): void => {
    switch (event.type) {
      case 'actor-start':
        this.actors.set(`${event.operator}#${event.actorIndex}`, {
          operator: event.operator,
          actorIndex: event.actorIndex,
          gpuIds: event.gpuIds,
        });
        return;
      case 'actor-stop':
        this.actors.delete(`${event.operator}#${event.actorIndex}`);
        return;
      case 'row-skipped':
      case 'file-skipped':
        return this.addLog(event.time, 'skipped', event.operator, event.message, event.input);
      case 'task-retry':
        return this.addLog(event.time, 'retry', event.operator, `attempt ${event.attempt} follows: ${event.message}`, {
          taskIndex: event.taskIndex,
        });
      case 'worker-replaced':
        return this.addLog(event.time, 'worker-replaced', event.operator, event.message, { taskIndex: event.taskIndex });
      case 'actor-restart':
        return this.addLog(event.time, 'actor-restart', event.operator, `actor ${event.actorIndex}: ${event.message}`, {});
      case 'task-stuck': {
        const task = { ...event, startedAt: event.time - event.runningMs };
        // Listed from the event too: a task reported stuck that ends before the next sample is still shown.
        this.markStuck(task);
        return this.addLog(event.time, 'stuck', event.operator, describeRunningTask(task, event.thresholdMs), event.input);
      }
      default:
        return;
    }
  };

  /** The run ended: a last sample, then the time line stops. */
  end(outcome: Exclude<RunOutcome, 'running'>, error: unknown): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.outcome = outcome;
    this.endedAt = Date.now();
    if (outcome === 'failed') {
      this.error = causeMessage(error);
      this.addLog(this.endedAt, 'failed', this.sources.plan.at(-1)?.name ?? '', this.error, {});
    }
    this.tick(true);
  }

  /** Tells `listener` every update until the returned function is called. */
  subscribe(listener: (update: RunUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  summary(): RunSummary {
    return {
      jobId: this.sources.jobId,
      title: this.sources.plan.at(-1)?.name ?? '',
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      outcome: this.outcome,
    };
  }

  view(): RunView {
    return {
      ...this.summary(),
      error: this.error,
      cpus: this.sources.cpus,
      memoryBudget: this.sources.memoryBudget,
      plan: this.sources.plan,
      samples: [...this.samples],
      log: [...this.log],
      stuck: [...this.stuckTasks.values()],
      actors: [...this.actors.values()],
      workers: this.workers,
    };
  }

  private tick(last = false): void {
    const sample = this.sample();
    if (last || sample.t - this.lastKept >= this.keepEveryMs) this.keep(sample);
    this.updateStuck(last);
    this.askWorkers();
    const update: RunUpdate = {
      jobId: this.sources.jobId,
      sample,
      log: this.newLog,
      stuck: [...this.stuckTasks.values()],
      actors: [...this.actors.values()],
      workers: this.workers,
      endedAt: this.endedAt,
      outcome: this.outcome,
      error: this.error,
    };
    this.newLog = [];
    for (const listener of this.listeners) listener(update);
  }

  private sample(): RunSample {
    return {
      t: Math.round(performance.now() - this.started),
      ...this.usage.sample(),
      heldBytes: this.sources.heldBytes(),
      operators: this.sources.operators.map(operatorSample),
    };
  }

  private keep(sample: RunSample): void {
    this.samples.push(sample);
    this.lastKept = sample.t;
    if (this.samples.length <= MAX_SAMPLES) return;
    // Thinned, not cut: the report of a long run still spans it from the start.
    const kept = this.samples.filter((_, i) => i % 2 === 0 || i === this.samples.length - 1);
    this.samples.splice(0, this.samples.length, ...kept);
    this.keepEveryMs *= 2;
  }

  private updateStuck(ended: boolean): void {
    const now = ended ? new Set<string>() : new Set(this.sources.stuck().map((task) => this.markStuck(task)));
    for (const [key, view] of this.stuckTasks) if (!now.has(key) && view.running) this.stuckTasks.set(key, { ...view, running: false });
    while (this.stuckTasks.size > MAX_STUCK) this.stuckTasks.delete(this.stuckTasks.keys().next().value!);
  }

  private markStuck(task: RunningTask): string {
    const key = `${task.operator}#${task.taskIndex}#${task.attempt}`;
    this.stuckTasks.set(key, {
      operator: task.operator,
      taskIndex: task.taskIndex,
      attempt: task.attempt,
      input: describeTaskInput(task.input),
      thread: task.thread,
      since: task.startedAt,
      running: true,
    });
    return key;
  }

  private askWorkers(): void {
    const ask = this.sources.workers;
    const now = performance.now();
    if (ask === null || now - this.workersAsked < WORKERS_EVERY_MS) return;
    this.workersAsked = now;
    ask().then(
      (workers) => (this.workers = workers),
      () => undefined,
    );
  }

  private addLog(time: number, kind: LogEntry['kind'], operator: string, message: string, input: InputLocation): void {
    // The path has its own field; the rest in words ('line 12', 'task 3, the batch of rows 0-31 of its input').
    const location = describeLocation({ ...input, path: undefined }).replace(/^ at /, '');
    const entry: LogEntry = {
      time,
      kind,
      operator,
      message,
      ...(input.path === undefined ? {} : { path: input.path }),
      ...(location === '' ? {} : { location }),
    };
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.shift();
    this.newLog.push(entry);
  }
}

function operatorSample(op: MonitoredOperator): OperatorSample {
  const { stats } = op;
  const queued = op.queued();
  const actors = op.actors();
  return {
    rowsIn: stats.rowsIn,
    rowsOut: stats.rowsOut,
    bytesOut: stats.bytesOut,
    filesOut: stats.filesOut ?? null,
    queuedBlocks: queued.blocks,
    queuedBytes: queued.bytes,
    activeTasks: op.activeTasks(),
    actors: actors?.live ?? null,
    busyActors: actors?.busy ?? null,
    backpressureMs: Math.round(op.backpressureMs()),
    tasks: stats.tasks,
    retries: stats.retries,
    skippedRows: stats.skippedRows,
    // wallMs is set when the operator ends.
    done: stats.wallMs > 0,
  };
}
