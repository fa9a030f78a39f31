/**
 * Typed errors. Each says what failed, where (operator, row, file) and, when the
 * fix is known, how to fix it.
 */

/** Where in the data an error happened, as far as it is known. */
export interface InputLocation {
  /** Index of the task (bundle of blocks) within the operator. */
  readonly taskIndex?: number;
  /** Row index within the task's input; for a failed batch, the batch's first row. */
  readonly rowIndex?: number;
  /** Rows of the failed batch, when a batch function (mapBatches) failed. */
  readonly batchRows?: number;
  /** File the row came from, when the row carries a `path`. */
  readonly path?: string;
  /** Line in that file (1-based), for line-based formats (JSON Lines, CSV, text). */
  readonly line?: number;
  /** Row group in that file (0-based), for Parquet. */
  readonly rowGroup?: number;
  /** Page of that file (1-based), for paginated formats (PDF). */
  readonly page?: number;
  /** The part of that file a read task reads, as its format planned it: `pages 1-50`, `bytes 0-33554431`, `rows 0-9999`. */
  readonly part?: string;
  /** A short JSON preview of the failing row. */
  readonly preview?: string;
}

export class SluiceError extends Error {
  override name = 'SluiceError';
}

/** An option or argument with a value that cannot work. */
export class InvalidOptionError extends SluiceError {
  override name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    readonly received: unknown,
    expected: string,
  ) {
    super(`option '${option}' must be ${expected}; received ${describeValue(received)}`);
  }
}

/** A UDF that must run on worker threads was given as a plain function. */
export class UdfPlacementError extends SluiceError {
  override name = 'UdfPlacementError';
}

/** Rows that cannot be turned into Arrow columns with one type per column. */
export class SchemaError extends SluiceError {
  override name = 'SchemaError';
}

/** A user function failed. `cause` holds the original error. */
export class UdfError extends SluiceError {
  override name = 'UdfError';
  constructor(
    readonly operator: string,
    readonly input: InputLocation,
    cause: unknown,
  ) {
    super(`${operator} failed${describeLocation(input)}: ${causeMessage(cause)}`, { cause });
  }
}

/**
 * A path that names no file, a file that cannot be read, or a record in it that cannot be
 * parsed. `input` names the file and the line (JSON, CSV, text) or row group (Parquet);
 * the message says how to fix it. A UdfError, so that retries treat it as the data's fault.
 */
export class FileReadError extends UdfError {
  override name = 'FileReadError';
}

/**
 * A task (a batch, or a block of rows) that ran past its operator's `timeoutMs`: its worker or
 * actor was ended and replaced, and the task was retried up to `maxRetries` times.
 */
export class TaskTimeoutError extends SluiceError {
  override name = 'TaskTimeoutError';
  constructor(
    readonly operator: string,
    readonly input: InputLocation,
    readonly timeoutMs: number,
    readonly attempts = 1,
  ) {
    super(
      `${operator}: no result after ${timeoutMs} ms${describeLocation(input)} (${attempts} attempt${attempts === 1 ? '' : 's'}), ` +
        `so its worker was ended and replaced; look for a call that never returns, raise timeoutMs, ` +
        `or pass onError: 'skip' to skip such batches (they are logged to errorLog)`,
    );
  }
}

/** A worker thread died (crash, process.exit, out of memory) and retries ran out; `input` is the task's rows. */
export class WorkerCrashError extends SluiceError {
  override name = 'WorkerCrashError';
  constructor(
    readonly operator: string,
    readonly attempts: number,
    cause: unknown,
    readonly input: InputLocation = {},
  ) {
    super(
      `${operator}: a worker thread died while running a task (${attempts} attempt${attempts === 1 ? '' : 's'})${describeLocation(input)}: ` +
        `${causeMessage(cause)}; raise 'maxRetries' to retry more, or look for process.exit or unbounded memory in the UDF`,
      { cause },
    );
  }
}

/**
 * An actor of an actor pool failed as a whole: its class could not be constructed, it died
 * more often than `maxRestarts` allows, or its `close()` threw. `cause` holds the original error.
 */
export class ActorError extends SluiceError {
  override name = 'ActorError';
  constructor(
    readonly operator: string,
    readonly actorIndex: number,
    what: string,
    cause: unknown,
    fix: string,
  ) {
    super(`${operator}: actor ${actorIndex} ${what}: ${causeMessage(cause)}; ${fix}`, { cause });
  }
}

/** An operator asks for more CPUs or GPUs than the job has; raised when the job is planned, before any worker starts. */
export class ResourceError extends SluiceError {
  override name = 'ResourceError';
}

/** A UDF reference (`udf(import.meta.url, fn)`) that a worker could not resolve. */
export class UdfResolveError extends SluiceError {
  override name = 'UdfResolveError';
}

/** A `middleware` hook (`before` or `after`) threw: the job fails, since a tracing hook that breaks would otherwise go unseen. */
export class MiddlewareError extends SluiceError {
  override name = 'MiddlewareError';
  constructor(
    readonly operator: string,
    readonly hook: 'before' | 'after',
    readonly taskIndex: number,
    cause: unknown,
  ) {
    super(`middleware ${hook}() threw at ${operator} task ${taskIndex}: ${causeMessage(cause)}`, { cause });
  }
}

/**
 * Writing output failed: a file could not be written or committed, or a Datasink method
 * threw. `sink` names the write (`WriteParquet(out/)`, the sink's name); `cause` holds the
 * original error. The write was rolled back: see README "Writing files".
 */
export class WriteError extends SluiceError {
  override name = 'WriteError';
  constructor(
    readonly sink: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${sink}: ${message}${cause === undefined ? '' : `: ${causeMessage(cause)}`}`, { cause });
  }
}

/**
 * Cluster mode could not run a job's task on a worker: Redis is unreachable, the worker's code
 * differs from the driver's, the plan has a part that cannot run on workers, or a partition
 * failed on every attempt. The message names the partition and the fix.
 */
export class ClusterError extends SluiceError {
  override name = 'ClusterError';
  constructor(message: string, cause?: unknown) {
    super(cause === undefined ? message : `${message}: ${causeMessage(cause)}`, { cause });
  }
}

/**
 * A write with a `runId` on a plan that cannot be cut into a run's partitions (no file read, or
 * an operator between the read and the write that mixes or drops partitions); raised before
 * anything runs. A caller that can do without partitions may catch it and write without a run.
 */
export class UnpartitionedRunError extends WriteError {
  override name = 'UnpartitionedRunError';
}

/** A task attempt running on a thread, as a stuck-task report or a StallTimeoutError names it. */
export interface RunningTask {
  readonly operator: string;
  readonly taskIndex: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Its input: the files and pages, or the rows, as far as the task's rows tell. */
  readonly input: InputLocation;
  /** Where it runs: 'worker thread 7', 'actor 2 (thread 9)', 'main thread', 'cluster worker'. */
  readonly thread: string;
  /** When it began on that thread, epoch milliseconds. */
  readonly startedAt: number;
  /** How long it had run when looked at. */
  readonly runningMs: number;
}

/**
 * For `stallTimeoutMs` no task finished and no row moved, so the job was failed. `running` are
 * the task attempts still running then, longest first (the message names the first five);
 * `waiting`, the tasks dispatched that had no thread yet.
 */
export class StallTimeoutError extends SluiceError {
  override name = 'StallTimeoutError';
  constructor(
    readonly stallTimeoutMs: number,
    readonly running: readonly RunningTask[],
    readonly waiting: number,
  ) {
    super(stallMessage(stallTimeoutMs, running, waiting));
  }
}

/** Running tasks a StallTimeoutError's message names; the rest are counted. */
const STALLED_TASKS_NAMED = 5;

function stallMessage(stallTimeoutMs: number, running: readonly RunningTask[], waiting: number): string {
  const head = `the job made no progress for ${seconds(stallTimeoutMs)} (stallTimeoutMs ${stallTimeoutMs}): no task finished and no row moved`;
  const queued = waiting === 0 ? '' : ` (${waiting} task${waiting === 1 ? '' : 's'} waiting for a thread)`;
  if (running.length === 0)
    return (
      `${head}, and no task is running${queued}: every operator waits, on a source that yields nothing (fromAsyncIterable), ` +
      "on memory that is not freed, or on the loop that consumes the job's rows; look there, or raise stallTimeoutMs"
    );
  const named = running.slice(0, STALLED_TASKS_NAMED).map((task) => describeRunningTask(task));
  const more = running.length > STALLED_TASKS_NAMED ? `; and ${running.length - STALLED_TASKS_NAMED} more` : '';
  return (
    `${head}. Still running${queued}: ${named.join('; ')}${more}. Look at what that UDF waits for (a lock, a network call ` +
    'without a timeout, a parser in a loop), give its operator a timeoutMs (a UDF on worker threads or actors) so that ' +
    'such calls are ended and retried, ' +
    'or raise stallTimeoutMs if they take this long by design'
  );
}

/**
 * One line about a running task: `task 3 of Map(embed) has run 74 s (threshold 60 s), attempt 1,
 * on worker thread 7, input /data/a.pdf pages 1-50`; the threshold only when given.
 */
export function describeRunningTask(task: RunningTask, thresholdMs?: number): string {
  const threshold = thresholdMs === undefined ? '' : ` (threshold ${seconds(thresholdMs)})`;
  return (
    `task ${task.taskIndex} of ${task.operator} has run ${seconds(task.runningMs)}${threshold}, attempt ${task.attempt}, ` +
    `on ${task.thread}, input ${describeTaskInput(task.input)}`
  );
}

/** A task's input in a few words: its file and part, or its rows and the file of the first. */
export function describeTaskInput(input: InputLocation): string {
  const at = [
    input.path,
    input.part,
    input.rowGroup === undefined ? undefined : `row group ${input.rowGroup}`,
    input.line === undefined ? undefined : `line ${input.line}`,
    input.page === undefined ? undefined : `page ${input.page}`,
  ].filter((s) => s !== undefined);
  const where = at.join(' ');
  if (input.batchRows === undefined) return where === '' ? 'unknown' : where;
  if (where === '') return `${input.batchRows} row${input.batchRows === 1 ? '' : 's'}`;
  return input.batchRows === 1 ? `1 row from ${where}` : `${input.batchRows} rows, the first from ${where}`;
}

/** Seconds for people: one decimal below 10 s ('0.3 s'), whole above ('74 s'). */
function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Raised inside the engine when a job is cancelled (limit reached, consumer stopped). */
export class CancelledError extends SluiceError {
  override name = 'CancelledError';
  constructor() {
    super('the job was cancelled');
  }
}

/**
 * A FileReadError whose message says what is wrong with the file (or record) and how to
 * fix it. The original error, when there is one, stays reachable as the cause's cause.
 */
export function fileError(operator: string, where: InputLocation, problem: string, fix: string, cause?: unknown): FileReadError {
  return new FileReadError(operator, where, new Error(`${problem}; ${fix}`, cause === undefined ? undefined : { cause }));
}

/** What a file read past its `timeoutMs` says, from the worker (one fragment) or the main thread (a stuck worker). */
export function timeoutProblem(ms: number, workerStopped: boolean): string {
  return `no result after ${ms} ms${workerStopped ? ', so its worker was stopped' : ''} (a damaged or very large file)`;
}

export const TIMEOUT_HINT = "raise timeoutMs, or pass onError: 'skip' to skip such files (they are logged to errorLog)";

/**
 * The problem of columns asked for that are not there, with the closest existing name when
 * one is close: "no column 'qtty' (did you mean 'qty'?); the columns are id, qty".
 */
export function missingColumnsProblem(missing: readonly string[], columns: readonly string[], where = ''): string {
  const named = missing.map((c) => `'${c}'`).join(', ');
  return `no column ${named}${where}${didYouMean(missing, columns)}; the columns are ${columns.join(', ')}`;
}

/** " (did you mean 'x'?)" for the first of `names` that has a close match among `candidates`, else "". */
export function didYouMean(names: readonly string[], candidates: readonly string[]): string {
  for (const name of names) {
    const match = nearestName(name, candidates);
    if (match !== null) return ` (did you mean '${match}'?)`;
  }
  return '';
}

/**
 * The candidate closest to `name` by edit distance (case ignored), when it is close enough to
 * be a misspelling: at most a third of the name's length, and at least one edit allowed.
 */
export function nearestName(name: string, candidates: readonly string[]): string | null {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (Damerau's restricted form). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * Refuses option names `where` does not know, naming the option, the accepted names and the
 * closest one: "option 'compresion' must be one of compression, rowGroupSize (the options of
 * writeParquet; did you mean 'compression'?); received 'zstd'". A value of undefined counts as
 * absent, as everywhere in sluice's options.
 */
export function checkKnownOptions(where: string, options: object, known: readonly string[]): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || known.includes(key)) continue;
    const near = nearestName(key, known);
    throw new InvalidOptionError(
      key,
      value,
      `one of ${known.join(', ')} (the options of ${where}${near === null ? '' : `; did you mean '${near}'?`})`,
    );
  }
}

export function causeMessage(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

export function describeValue(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const json = safeJson(value);
    if (json !== null) return json;
  }
  return String(value);
}

/** A plain object as JSON, or null when it cannot be (a cycle, a BigInt). */
function safeJson(value: object): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

export function describeLocation(input: InputLocation): string {
  const parts: string[] = [];
  if (input.path !== undefined) parts.push(`file ${input.path}`);
  if (input.part !== undefined) parts.push(input.part);
  if (input.line !== undefined) parts.push(`line ${input.line}`);
  if (input.rowGroup !== undefined) parts.push(`row group ${input.rowGroup}`);
  if (input.page !== undefined) parts.push(`page ${input.page}`);
  if (input.taskIndex !== undefined) parts.push(`task ${input.taskIndex}`);
  if (input.rowIndex !== undefined && input.batchRows !== undefined) {
    parts.push(`the batch of rows ${input.rowIndex}-${input.rowIndex + input.batchRows - 1} of its input`);
  } else if (input.rowIndex !== undefined) {
    parts.push(`row ${input.rowIndex} of its batch`);
  }
  const where = parts.length ? ` at ${parts.join(', ')}` : '';
  return input.preview !== undefined ? `${where} (input ${input.preview})` : where;
}
