import type { RunView } from './dashboard/client/run-view.js';
import { reportHtml } from './dashboard/page-html.js';
import { formatBytes, formatMs } from './format.js';

/** What one operator did during a run. */
export interface OperatorStats {
  readonly name: string;
  /** From the operator's start to its end, in milliseconds. */
  wallMs: number;
  /**
   * Time inside the functions of its steps (user functions, and the readers and writers of
   * reads and writes), summed over tasks (so it can exceed wall time).
   */
  udfMs: number;
  rowsIn: number;
  /** Rows passed downstream; for an operator that writes files, the rows written. */
  rowsOut: number;
  /** Files written, only for an operator that writes files (its output is a row per file); absent for others. */
  filesOut?: number;
  /**
   * Only for a write with a run id: the partitions (read tasks) of the whole run, including those
   * a resume found done and those another shard runs.
   */
  partitions?: number;
  blocksOut: number;
  /** Arrow bytes of the blocks passed downstream; for an operator that writes files, the bytes of the files written. */
  bytesOut: number;
  /** Time spent waiting for room in the output queue: a slower stage downstream. */
  backpressureMs: number;
  /** Tasks dispatched (a task is one bundle of input rows through the operator's UDF chain). */
  tasks: number;
  /** Task attempts that failed and were run again (worker crashes, or errors under `retryExceptions`). */
  retries: number;
  /** Input rows dropped under `onError: 'skip'`. */
  skippedRows: number;
}

/** The plain-data form of `DatasetStats` (what `JSON.stringify(stats)` writes). */
export interface DatasetStatsJson {
  readonly wallMs: number;
  /** Most bytes of blocks the job held at once: queued between operators, being bundled, in tasks in flight. */
  readonly peakHeldBytes: number;
  readonly operators: OperatorStats[];
}

export function newOperatorStats(name: string): OperatorStats {
  return {
    name,
    wallMs: 0,
    udfMs: 0,
    rowsIn: 0,
    rowsOut: 0,
    blocksOut: 0,
    bytesOut: 0,
    backpressureMs: 0,
    tasks: 0,
    retries: 0,
    skippedRows: 0,
  };
}

/** Statistics of a finished run: per operator (sources first), plus the job's totals. */
export class DatasetStats {
  /** The run's time line, plan and log, for the report (an ES private field: not part of the stats' data, nor of what they print). */
  readonly #run: RunView | null;

  constructor(
    readonly operators: readonly OperatorStats[],
    readonly wallMs: number,
    readonly peakHeldBytes: number,
    /** Null for a run that did not execute (a write with nothing to do). */
    run: RunView | null = null,
  ) {
    this.#run = run;
  }

  /** The stats of the operator with this name (as shown in `explain()` and progress), if the plan has one. */
  operator(name: string): OperatorStats | undefined {
    return this.operators.find((o) => o.name === name);
  }

  /** Plain data: copies of the numbers, for logging, JSON and comparison. */
  toJSON(): DatasetStatsJson {
    return { wallMs: this.wallMs, peakHeldBytes: this.peakHeldBytes, operators: this.operators.map((o) => ({ ...o })) };
  }

  /**
   * The run's report: one self-contained HTML file (plan, per-operator table, throughput and
   * queue charts over the run's time line, errors, stuck tasks) to open later or attach to a
   * ticket. The `report` option writes the same file when a run ends.
   */
  toHtml(): string {
    return reportHtml(this.#run ?? emptyRun(this));
  }

  /** A readable table, one line per operator; a 'files out' column when some operator writes files. */
  toString(): string {
    const writes = this.operators.some((s) => s.filesOut !== undefined);
    const files = (cells: string[]) => (writes ? cells : []);
    const header = [
      'operator',
      'wall',
      'udf',
      'rows in',
      'rows out',
      ...files(['files out']),
      'blocks',
      'bytes out',
      'backpressure',
      'tasks',
      'retries',
      'skipped',
    ];
    const rows = this.operators.map((s) => [
      s.name,
      formatMs(s.wallMs),
      formatMs(s.udfMs),
      String(s.rowsIn),
      String(s.rowsOut),
      ...files([s.filesOut === undefined ? '' : String(s.filesOut)]),
      String(s.blocksOut),
      formatBytes(s.bytesOut),
      formatMs(s.backpressureMs),
      String(s.tasks),
      String(s.retries),
      String(s.skippedRows),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [line(header), ...rows.map(line), `total wall ${formatMs(this.wallMs)}, peak held ${formatBytes(this.peakHeldBytes)}`].join(
      '\n',
    );
  }
}

/** The report of a run that did not execute: its operators' numbers, no time line. */
function emptyRun(stats: DatasetStats): RunView {
  const now = Date.now();
  return {
    jobId: 0,
    title: stats.operators.at(-1)?.name ?? 'nothing to run',
    startedAt: now - stats.wallMs,
    endedAt: now,
    outcome: 'ok',
    error: null,
    cpus: 0,
    memoryBudget: 0,
    plan: [],
    samples: [],
    log: [],
    stuck: [],
    actors: [],
    workers: null,
  };
}
