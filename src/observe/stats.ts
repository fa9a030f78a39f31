/** What one operator did during a run. */
export interface OperatorStats {
  readonly name: string;
  /** From the operator's start to its end, in milliseconds. */
  wallMs: number;
  /** Time inside user functions, summed over tasks (so it can exceed wall time). */
  udfMs: number;
  rowsIn: number;
  rowsOut: number;
  blocksOut: number;
  bytesOut: number;
  /** Time spent waiting for room in the output queue: a slower stage downstream. */
  backpressureMs: number;
  tasks: number;
  retries: number;
  skippedRows: number;
}

export function newOperatorStats(name: string): OperatorStats {
  return { name, wallMs: 0, udfMs: 0, rowsIn: 0, rowsOut: 0, blocksOut: 0, bytesOut: 0, backpressureMs: 0, tasks: 0, retries: 0, skippedRows: 0 };
}

/** Statistics of a finished run: per operator, plus the job's totals. */
export class DatasetStats {
  constructor(
    readonly operators: readonly OperatorStats[],
    readonly wallMs: number,
    readonly peakQueuedBytes: number,
  ) {}

  /** A readable table, one line per operator. */
  toString(): string {
    const header = ['operator', 'wall', 'udf', 'rows in', 'rows out', 'blocks', 'bytes out', 'backpressure', 'tasks', 'retries', 'skipped'];
    const rows = this.operators.map((s) => [
      s.name,
      ms(s.wallMs),
      ms(s.udfMs),
      String(s.rowsIn),
      String(s.rowsOut),
      String(s.blocksOut),
      bytes(s.bytesOut),
      ms(s.backpressureMs),
      String(s.tasks),
      String(s.retries),
      String(s.skippedRows),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [
      line(header),
      ...rows.map(line),
      `total wall ${ms(this.wallMs)}, peak queued ${bytes(this.peakQueuedBytes)}`,
    ].join('\n');
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(1)}ms`;
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = value;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)}${units[u]}`;
}
