import { formatBytes, formatMs, formatRate } from './format.js';
import type { OperatorStats } from './stats.js';

/**
 * 'bars': live bars (cli-progress) redrawn in place; 'log': one plain line per operator every
 * `progressIntervalMs`; 'auto': bars on a terminal outside CI, else log; 'off': nothing.
 */
export type ProgressMode = 'auto' | 'bars' | 'log' | 'off';

/** What the reporter reads of one running operator. */
export interface ProgressSource {
  readonly name: string;
  readonly stats: OperatorStats;
  /** Rows the operator will read, when the plan tells: the bar's total. */
  readonly expectedRowsIn: number | undefined;
  /** Bytes waiting in the operator's output queue. */
  queuedBytes(): number;
  /** Tasks dispatched and not yet finished. */
  activeTasks(): number;
  /** Live actors of an actor-pool operator; null for other operators. */
  actors(): number | null;
}

export interface ProgressOptions {
  readonly mode: ProgressMode;
  readonly intervalMs: number;
  readonly stream: NodeJS.WritableStream;
  /** The job's start, `performance.now()` time. */
  readonly started: number;
}

export interface ProgressReporter {
  /** Final output and cleanup; `completed` is false after an error or an early stop. */
  stop(completed: boolean): void;
}

/**
 * Starts reporting a job's progress. Its timers are unref'd: progress never keeps the process
 * alive. cli-progress is loaded only for bars: every process and worker thread that imports
 * sluice would pay for it otherwise.
 */
export async function startProgress(options: ProgressOptions, sources: readonly ProgressSource[]): Promise<ProgressReporter> {
  switch (resolveMode(options.mode, options.stream)) {
    case 'off':
      return { stop: () => {} };
    case 'log':
      return new LogProgress(options, sources);
    case 'bars': {
      const { BarProgress } = await import('./progress-bars.js');
      return new BarProgress(options, sources);
    }
  }
}

function resolveMode(mode: ProgressMode, stream: NodeJS.WritableStream): 'bars' | 'log' | 'off' {
  if (mode !== 'auto') return mode;
  return isTty(stream) && !underCi() ? 'bars' : 'log';
}

export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

export interface Snapshot {
  readonly rowsOut: number;
  readonly rate: string;
  /** Tasks in flight, after the live actors for an actor-pool operator ("2 actors, 4"). */
  readonly active: string;
  readonly queued: string;
}

export function snapshot(source: ProgressSource, started: number): Snapshot {
  const { stats } = source;
  // wallMs is set when the operator ends: its rate stops moving then.
  const elapsed = stats.wallMs > 0 ? stats.wallMs : performance.now() - started;
  const actors = source.actors();
  const active = `${actors === null ? '' : `${actors} actor${actors === 1 ? '' : 's'}, `}${source.activeTasks()}`;
  return { rowsOut: stats.rowsOut, rate: formatRate(stats.rowsOut, elapsed), active, queued: formatBytes(source.queuedBytes()) };
}

/** Plain lines for logs and CI: every interval, and once more at the end of a job that outlived one interval. */
class LogProgress implements ProgressReporter {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: ProgressOptions,
    private readonly sources: readonly ProgressSource[],
  ) {
    this.timer = setInterval(() => this.print('running'), options.intervalMs).unref();
  }

  stop(completed: boolean): void {
    clearInterval(this.timer);
    // A job shorter than an interval printed nothing while it ran and stays quiet at its end too.
    if (performance.now() - this.options.started > this.options.intervalMs) this.print(completed ? 'done' : 'stopped');
  }

  private print(state: 'running' | 'done' | 'stopped'): void {
    const at = formatMs(performance.now() - this.options.started);
    const width = Math.max(...this.sources.map((s) => s.name.length));
    const lines = this.sources.map((source) => {
      const s = snapshot(source, this.options.started);
      return `sluice ${state} ${at}  ${source.name.padEnd(width)}  ${s.rowsOut} rows out, ${s.rate} rows/s, ${s.active} tasks active, ${s.queued} queued`;
    });
    this.options.stream.write(lines.join('\n') + '\n');
  }
}
