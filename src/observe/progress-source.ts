import { formatBytes, formatRate } from './format.js';
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
  /** Writes a line of its own (a stuck task) where progress goes, without breaking bars being drawn. */
  log(line: string): void;
}

export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export interface Snapshot {
  readonly rowsOut: number;
  /** Files written, for an operator that writes files; else undefined. */
  readonly filesOut: number | undefined;
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
  return {
    rowsOut: stats.rowsOut,
    filesOut: stats.filesOut,
    rate: formatRate(stats.rowsOut, elapsed),
    active,
    queued: formatBytes(source.queuedBytes()),
  };
}

/** What follows the rows out of an operator that writes files: the separator, then '3 files out'; '' for other operators. */
export function filesNote(filesOut: number | undefined, separator: string): string {
  return filesOut === undefined ? '' : `${separator}${filesOut} file${filesOut === 1 ? '' : 's'} out`;
}
