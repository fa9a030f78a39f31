import os from 'node:os';
import { checkKnownOptions, InvalidOptionError } from '../errors.js';
import { checkGpusSetting } from './gpu-discovery.js';
import { DEFAULT_QUEUE, type ClusterSettings } from '../cluster/cluster-protocol.js';
import type { SluiceEventListener } from '../observe/events.js';
import type { UdfMiddleware } from '../observe/middleware.js';
import type { ProgressMode } from '../observe/progress-source.js';

/** How jobs run: set for the process with `configure`, or per call on any consumer. */
export interface ExecutionOptions {
  /** CPU slots for task-pool work; also the number of worker threads. Default: the machine's cores. */
  cpus?: number;
  /**
   * GPUs actors may be placed on: a count (ids 0..n-1) or a list of ids. Default (null):
   * discovered from CUDA_VISIBLE_DEVICES, else `nvidia-smi -L`, else none.
   */
  gpus?: number | readonly number[] | null;
  /**
   * Bytes of blocks the job may hold at once: queued between operators, being bundled, and in
   * tasks in flight (their inputs, the copies workers and actors hold, encoders' buffers, their
   * outputs). Tasks wait for room; an operator always keeps one task running. Writes cut files
   * to at most 1/8 of it by default. Default: 1/8 of memory, at most 1 GiB.
   */
  memoryBudget?: number;
  /**
   * Most heap (V8's old generation, in MiB) of each worker thread, of the task pool and of every
   * actor pool: a UDF whose heap runs away ends its worker with an out-of-memory error, a crash
   * (retried, then a WorkerCrashError), instead of taking the machine's memory first. Default
   * (null): the memory budget in MiB, at least 512.
   */
  workerHeapMb?: number | null;
  /**
   * How long an actor's thread waits, after its actor closed cleanly, for another actor (of any
   * pool, with the same heap limit) to start in it: that actor finds its modules imported and its
   * code optimised already. 0: every actor gets a new thread. Default 5000.
   */
  actorThreadKeepMs?: number;
  /** Emit rows in input order (costs some parallelism when tasks finish out of order). Default false. */
  preserveOrder?: boolean;
  /** A file that receives one JSON line per input skipped under `onError: 'skip'`. */
  errorLog?: string | null;
  /** Progress while a job runs: live bars, plain log lines, or nothing. Default 'auto' (bars on a terminal outside CI, else log). */
  progress?: ProgressMode;
  /** Milliseconds between progress log lines (and between bar prints on a stream that is not a terminal). Default 5000. */
  progressIntervalMs?: number;
  /** Where progress goes. Default (null): process.stderr. */
  progressStream?: NodeJS.WritableStream | null;
  /** Receives the job's events (start/end, operators, retries, worker replacements, skips); see `EventStream` to iterate them. */
  onEvent?: SluiceEventListener | null;
  /** Hooks around every UDF call (task), on the main thread, for tracing. */
  middleware?: UdfMiddleware | readonly UdfMiddleware[];
  /**
   * Cluster mode: the partitions of a write with a `runId` run as BullMQ jobs on Redis, taken by
   * `npx sluice worker` processes on any machine with the same checkout (README "Running on many
   * machines"). A Redis URL or `{redis, queue}`. Default: SLUICE_CLUSTER (a Redis URL), else null.
   */
  cluster?: string | { redis: string; queue?: string } | null;
  /**
   * A static shard, 'i/N' or `{index, count}`: a write with a `runId` runs only its partitions
   * whose index is i modulo N (the others are other processes' share), for schedulers that
   * start N copies of a script. Default: SLUICE_SHARD, else null.
   */
  shard?: string | Shard | null;
  /**
   * A live page of the process's jobs, served by this process: true (127.0.0.1, a free port) or
   * `{port, host}`; its URL is printed once on stderr. A host other than loopback needs the
   * token printed with the URL. Default: SLUICE_DASHBOARD ('1', or a port), else null (none).
   */
  dashboard?: boolean | DashboardSettings | null;
  /** A file that receives the run's HTML report when it ends (as `stats().toHtml()` gives it). Default null. */
  report?: string | null;
  /**
   * A task or actor call running longer than this, and longer than 5 times its operator's
   * median, is reported as stuck, once (a 'task-stuck' event, stderr, the dashboard). Default 60000.
   */
  stuckTaskMs?: number;
  /**
   * Fails the job with a StallTimeoutError when no task finishes and no row moves for this long,
   * naming what is still running; a main-thread call or source that has not returned by then is
   * given up on. While it is set, a running job keeps the process alive. Default null (off).
   */
  stallTimeoutMs?: number | null;
}

/** Where the dashboard listens; port 0 (the default) picks a free one. */
export interface DashboardSettings {
  readonly port?: number;
  readonly host?: string;
}

/** Shard `index` of `count` (0 <= index < count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export type ExecutionSettings = Required<Omit<ExecutionOptions, 'cluster' | 'shard' | 'dashboard'>> & {
  readonly cluster: ClusterSettings | null;
  readonly shard: Shard | null;
  readonly dashboard: Required<DashboardSettings> | null;
};

const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bars', 'log', 'off'];

let defaults: ExecutionSettings = {
  cpus: os.availableParallelism(),
  gpus: null,
  memoryBudget: Math.min(Math.floor(os.totalmem() / 8), 1024 ** 3),
  workerHeapMb: null,
  actorThreadKeepMs: 5000,
  preserveOrder: false,
  errorLog: null,
  progress: 'auto',
  progressIntervalMs: 5000,
  progressStream: null,
  onEvent: null,
  middleware: [],
  cluster: clusterSetting(process.env.SLUICE_CLUSTER ?? null, 'SLUICE_CLUSTER'),
  shard: shardSetting(process.env.SLUICE_SHARD ?? null, 'SLUICE_SHARD'),
  dashboard: dashboardFromEnv(process.env.SLUICE_DASHBOARD),
  report: null,
  stuckTaskMs: 60_000,
  stallTimeoutMs: null,
};

/** The names of the execution options: the defaults' keys, which their type (every option required) keeps complete. */
const EXECUTION_OPTIONS: readonly string[] = Object.freeze(Object.keys(defaults));

/**
 * Refuses names that are neither execution options nor `own` (the call's other options), before
 * anything runs; `where` is the call the message names.
 */
export function checkExecutionOptions(where: string, options: object | undefined, own: readonly string[] = []): void {
  if (options !== undefined) checkKnownOptions(where, options, [...EXECUTION_OPTIONS, ...own]);
}

/** Sets execution options for every job that follows in this process. */
export function configure(options: ExecutionOptions): ExecutionSettings {
  defaults = resolveSettings(options, 'configure');
  return { ...defaults };
}

/** The settings of a run: `options` over the process's defaults, checked by name and value. */
export function resolveSettings(options: ExecutionOptions = {}, where = 'ExecutionOptions'): ExecutionSettings {
  checkExecutionOptions(where, options);
  const given = definedOnly(options);
  const merged = {
    ...defaults,
    ...given,
    cluster: 'cluster' in given ? clusterSetting(given.cluster!, 'cluster') : defaults.cluster,
    shard: 'shard' in given ? shardSetting(given.shard!, 'shard') : defaults.shard,
    dashboard: 'dashboard' in given ? dashboardSetting(given.dashboard!, 'dashboard') : defaults.dashboard,
  };
  if (!Number.isInteger(merged.cpus) || merged.cpus < 1) throw new InvalidOptionError('cpus', merged.cpus, 'a whole number >= 1');
  checkGpusSetting(merged.gpus);
  if (!Number.isFinite(merged.memoryBudget) || merged.memoryBudget <= 0) {
    throw new InvalidOptionError('memoryBudget', merged.memoryBudget, 'a number of bytes > 0');
  }
  if (merged.workerHeapMb !== null && !(Number.isInteger(merged.workerHeapMb) && merged.workerHeapMb >= 16)) {
    throw new InvalidOptionError(
      'workerHeapMb',
      merged.workerHeapMb,
      'a whole number of MiB >= 16, or null (the memory budget, at least 512)',
    );
  }
  if (!Number.isFinite(merged.actorThreadKeepMs) || merged.actorThreadKeepMs < 0) {
    throw new InvalidOptionError('actorThreadKeepMs', merged.actorThreadKeepMs, 'a number of milliseconds >= 0');
  }
  if (typeof merged.preserveOrder !== 'boolean') throw new InvalidOptionError('preserveOrder', merged.preserveOrder, 'true or false');
  if (merged.errorLog !== null && typeof merged.errorLog !== 'string')
    throw new InvalidOptionError('errorLog', merged.errorLog, 'a file path');
  if (!PROGRESS_MODES.includes(merged.progress))
    throw new InvalidOptionError('progress', merged.progress, `one of ${PROGRESS_MODES.map((m) => `'${m}'`).join(', ')}`);
  if (!Number.isFinite(merged.progressIntervalMs) || merged.progressIntervalMs <= 0) {
    throw new InvalidOptionError('progressIntervalMs', merged.progressIntervalMs, 'a number of milliseconds > 0');
  }
  if (merged.progressStream !== null && typeof merged.progressStream?.write !== 'function') {
    throw new InvalidOptionError('progressStream', merged.progressStream, 'a writable stream or null');
  }
  if (merged.onEvent !== null && typeof merged.onEvent !== 'function')
    throw new InvalidOptionError('onEvent', merged.onEvent, 'a function or null');
  if (merged.report !== null && (typeof merged.report !== 'string' || merged.report === ''))
    throw new InvalidOptionError('report', merged.report, 'a file path for the HTML report, or null');
  if (!Number.isFinite(merged.stuckTaskMs) || merged.stuckTaskMs <= 0)
    throw new InvalidOptionError('stuckTaskMs', merged.stuckTaskMs, 'a number of milliseconds > 0');
  if (merged.stallTimeoutMs !== null && !(Number.isFinite(merged.stallTimeoutMs) && merged.stallTimeoutMs > 0))
    throw new InvalidOptionError('stallTimeoutMs', merged.stallTimeoutMs, 'a number of milliseconds > 0, or null (off)');
  for (const m of middlewareList(merged.middleware)) {
    if (
      typeof m !== 'object' ||
      m === null ||
      (m.before !== undefined && typeof m.before !== 'function') ||
      (m.after !== undefined && typeof m.after !== 'function')
    ) {
      throw new InvalidOptionError(
        'middleware',
        m,
        'an object with optional before(call) and after(call, outcome) functions, or an array of them',
      );
    }
  }
  return merged;
}

/** The cluster setting as it is kept: a Redis URL or `{redis, queue}`, checked. */
function clusterSetting(value: NonNullable<ExecutionOptions['cluster']> | null, option: string): ClusterSettings | null {
  if (value === null || value === '') return null;
  const given = typeof value === 'string' ? { redis: value } : value;
  if (typeof given !== 'object' || typeof given.redis !== 'string' || !/^rediss?:\/\//.test(given.redis))
    throw new InvalidOptionError(option, value, "a Redis URL such as 'redis://127.0.0.1:6379', {redis, queue}, or null");
  const queue = given.queue ?? DEFAULT_QUEUE;
  if (typeof queue !== 'string' || !/^[\w.-]+$/.test(queue))
    throw new InvalidOptionError(`${option}.queue`, queue, 'a queue name of letters, digits, _, . and -');
  return { redis: given.redis, queue };
}

/** SLUICE_DASHBOARD: '1' or 'true' (a free port), a port number, or unset, '' and '0' (none). */
function dashboardFromEnv(value: string | undefined): Required<DashboardSettings> | null {
  if (value === undefined || value === '' || value === '0' || value === 'false') return null;
  if (value === '1' || value === 'true') return dashboardSetting(true, 'SLUICE_DASHBOARD');
  return dashboardSetting({ port: Number(value) }, 'SLUICE_DASHBOARD');
}

/** The dashboard setting as it is kept: where to listen, checked; null for none. */
function dashboardSetting(value: boolean | DashboardSettings | null, option: string): Required<DashboardSettings> | null {
  if (value === null || value === false) return null;
  const given: DashboardSettings = value === true ? {} : value;
  const port = given.port ?? 0;
  const host = given.host ?? '127.0.0.1';
  if (typeof given !== 'object' || !Number.isInteger(port) || port < 0 || port > 65_535 || typeof host !== 'string' || host === '')
    throw new InvalidOptionError(option, value, 'true, or {port, host} with a port 0-65535 (0: a free one) and a host name or address');
  return { port, host };
}

/** The shard setting as it is kept: 'i/N' or `{index, count}`, checked. */
function shardSetting(value: string | Shard | null, option: string): Shard | null {
  if (value === null || value === '') return null;
  const match = typeof value === 'string' ? /^(\d+)\/(\d+)$/.exec(value.trim()) : null;
  const shard = match !== null ? { index: Number(match[1]), count: Number(match[2]) } : typeof value === 'object' ? value : null;
  if (
    shard === null ||
    !Number.isInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  )
    throw new InvalidOptionError(option, value, "'i/N' or {index, count} with 0 <= i < N, such as '0/4'");
  return { index: shard.index, count: shard.count };
}

/** The middleware setting as a list: one middleware or several. */
export function middlewareList(middleware: UdfMiddleware | readonly UdfMiddleware[]): readonly UdfMiddleware[] {
  return Array.isArray(middleware) ? (middleware as readonly UdfMiddleware[]) : [middleware as UdfMiddleware];
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The heap limit of each worker thread, in MiB: `workerHeapMb`, or by default the memory budget, at least 512 MiB. */
export function workerHeapLimitMb(settings: ExecutionSettings): number {
  return settings.workerHeapMb ?? Math.max(512, Math.ceil(settings.memoryBudget / 1024 ** 2));
}
