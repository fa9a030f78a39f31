/**
 * What the dashboard page and the HTML report show of a run: plain JSON, the same from the live
 * server (GET /api/runs/:id, then updates over Server-Sent Events) and embedded in a report.
 * The driver builds it (observe/run-monitor.ts); the page (dashboard-client.ts) only reads it.
 * Nothing here carries an option's value: names, counts, times and messages with secrets
 * redacted (observe/redact.ts).
 */

/** One physical operator as the plan graph draws it. */
export interface PlanNodeView {
  /** Its index in `RunView.plan` (sources first); samples list operators in the same order. */
  readonly id: number;
  /** As in stats and progress: 'ReadParquet->Map(embed)'. */
  readonly name: string;
  readonly kind: 'Source' | 'Map' | 'Limit' | 'Union' | 'AllToAll';
  /** Ids of the operators it reads from. */
  readonly inputs: readonly number[];
  /** Where its work runs, in words: 'task pool, 1 CPU per task', 'actor pool of 1-4, 1 GPU each', 'main thread'. */
  readonly compute: string;
  /** The steps fused into it, in order (one for an unfused operator). */
  readonly steps: readonly string[];
}

/** One operator at one moment. Counters are totals since the run started. */
export interface OperatorSample {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly bytesOut: number;
  /** Files written, for an operator that writes files. */
  readonly filesOut: number | null;
  /** Blocks and their bytes waiting in its output queue. */
  readonly queuedBlocks: number;
  readonly queuedBytes: number;
  /** Tasks (or actor calls) dispatched and not finished. */
  readonly activeTasks: number;
  /** Live actors, and those with a call in flight; null for an operator without an actor pool. */
  readonly actors: number | null;
  readonly busyActors: number | null;
  readonly backpressureMs: number;
  readonly tasks: number;
  readonly retries: number;
  readonly skippedRows: number;
  /** The operator has ended. */
  readonly done: boolean;
}

/** The run at one moment. */
export interface RunSample {
  /** Milliseconds since the run started. */
  readonly t: number;
  /** The driver process's resident memory, bytes. */
  readonly rssBytes: number;
  /** The driver process's CPU (its worker threads included) since the previous sample, as % of one core. */
  readonly cpuPercent: number;
  /** Bytes of blocks the run holds against its memory budget. */
  readonly heldBytes: number;
  /** In `RunView.plan` order. */
  readonly operators: readonly OperatorSample[];
}

/** What went wrong or was noteworthy, newest last: the page lists the latest. */
export interface LogEntry {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly kind: 'skipped' | 'retry' | 'worker-replaced' | 'actor-restart' | 'stuck' | 'failed';
  readonly operator: string;
  readonly message: string;
  /** The file concerned, when there is one. */
  readonly path?: string;
  /** Where in the input, in words: 'task 3, rows 0-31', 'page 12'. */
  readonly location?: string;
}

/** A task or actor call that ran far longer than its operator's others (see observe/task-watch.ts). */
export interface StuckTaskView {
  readonly operator: string;
  readonly taskIndex: number;
  readonly attempt: number;
  /** Its input, in words: file, pages or rows. */
  readonly input: string;
  /** Where it runs: 'worker thread 7', 'actor 2 (thread 9)', 'main thread'. */
  readonly thread: string;
  /** Epoch milliseconds it started. */
  readonly since: number;
  /** Still running at the last update; false once it finished (or the run ended). */
  readonly running: boolean;
}

/** A live actor of an actor pool. */
export interface ActorView {
  readonly operator: string;
  readonly actorIndex: number;
  readonly gpuIds: readonly number[];
}

/** A cluster worker connected to the run's queue (cluster mode). */
export interface ClusterWorkerView {
  readonly name: string;
  readonly address: string;
}

export type RunOutcome = 'running' | 'ok' | 'failed' | 'cancelled';

export interface RunView {
  readonly jobId: number;
  /** The last operator's name: what the run produces. */
  readonly title: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly outcome: RunOutcome;
  /** The error a failed run failed with (its message). */
  readonly error: string | null;
  readonly cpus: number;
  readonly memoryBudget: number;
  readonly plan: readonly PlanNodeView[];
  /** The run's time line, oldest first; thinned (every other sample dropped) as it grows, so a long run keeps its whole span. */
  readonly samples: readonly RunSample[];
  /** The latest entries (at most 200). */
  readonly log: readonly LogEntry[];
  readonly stuck: readonly StuckTaskView[];
  readonly actors: readonly ActorView[];
  /** Cluster mode's workers; null outside cluster mode. */
  readonly workers: readonly ClusterWorkerView[] | null;
}

/** A run in the page's list of runs. */
export interface RunSummary {
  readonly jobId: number;
  readonly title: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly outcome: RunOutcome;
}

/**
 * What the server pushes (the SSE event 'update', at most ~2 a second per run): the run's
 * state now; `sample` is appended to the time line, `log` entries to the log.
 */
export interface RunUpdate {
  readonly jobId: number;
  readonly sample: RunSample;
  readonly log: readonly LogEntry[];
  readonly stuck: readonly StuckTaskView[];
  readonly actors: readonly ActorView[];
  readonly workers: readonly ClusterWorkerView[] | null;
  readonly endedAt: number | null;
  readonly outcome: RunOutcome;
  readonly error: string | null;
}
