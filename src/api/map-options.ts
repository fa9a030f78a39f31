import type { BatchFormat } from '../blocks/batch-format.js';
import { BATCH_FORMATS } from '../blocks/batch-format.js';
import { COLUMN_TYPE_NAMES, columnTypeNames, type ColumnTypeName, type ColumnTypes } from '../blocks/column-types.js';
import type { Schema } from 'apache-arrow';
import { checkKnownOptions, InvalidOptionError, UdfPlacementError } from '../errors.js';
import type { ActorCompute, Compute, RetryPolicy } from '../plan/logical.js';
import { DEFAULT_ROW_CONCURRENCY } from '../tasks/run-chain.js';
import type { FnRef, OnError } from '../tasks/transform.js';
import type { AnyActorClass } from './types.js';
import { isUdfRef, moduleRef, type UdfRef } from './udf.js';

/** Options of `map`, `flatMap`, `filter` and `addColumn` (Ray Data's names, in camelCase). */
export interface MapOptions {
  /** Shown in explain, stats and errors. Default: `Map(fnName)`. */
  name?: string;
  /**
   * For a plain function: calls in flight at once when it is async (default 16).
   * For a `udf(...)` function: most tasks of this operator running at once.
   */
  concurrency?: number;
  /** CPU slots each task holds (task pool only). Default 1. */
  numCpus?: number;
  /** GPUs per actor (fractions share a GPU); only for a class UDF, see ActorPoolOptions. */
  numGpus?: number;
  /** Retries of a task whose worker died; with `retryExceptions`, also of one whose UDF threw. Default 3. */
  maxRetries?: number;
  retryExceptions?: boolean;
  /** 'skip' drops failing rows (or batches), records them in the error log, and goes on. Default 'fail'. */
  onError?: OnError;
  /**
   * Most milliseconds one task may take (a batch of mapBatches, or a block of rows for map,
   * flatMap and filter; the whole chain when operators fuse). Past it the worker or actor is
   * ended and replaced and the task runs again, up to `maxRetries` times; then the job fails
   * with a TaskTimeoutError naming the input, or under `onError: 'skip'` the task's rows are
   * skipped and logged. Only for `udf(...)` functions and classes: the main thread cannot be
   * ended. Default: no limit.
   */
  timeoutMs?: number;
  /**
   * Types of output columns, over what is inferred from the values (whole numbers within Int32
   * are int32, other numbers float64): `{ count: 'int64', score: 'float32' }`, by name or as the
   * Arrow type. Values are cast without loss; one that would change is a SchemaError.
   */
  types?: ColumnTypes;
}

export interface MapBatchesOptions extends MapOptions {
  /** Rows per batch; exact except for the last batch. `null` hands whole blocks. Default 1024. */
  batchSize?: number | null;
  /** 'rows' (objects), 'arrow' (an apache-arrow Table), 'columns' (typed arrays). Default 'rows'. */
  batchFormat?: BatchFormat;
}

/**
 * Options of a class UDF, `udf(import.meta.url, SomeClass)`, which runs on an actor pool:
 * long-lived workers that each construct the class once and call `call(batch)` per batch.
 */
export interface ActorPoolOptions {
  /** Actors: a number for a fixed pool, `[min, max]` for a pool that grows while input queues up and shrinks when idle. Default 1. */
  concurrency?: number | readonly [min: number, max: number];
  /** CPU slots each actor holds for its life (fractions allowed). Default 1. */
  numCpus?: number;
  /** GPUs each actor holds: a fraction shares one GPU (0.25: four actors per GPU), or a whole number. Default 0. */
  numGpus?: number;
  /** Times an actor that died (crash, process.exit) is started again; its batches in flight run again. Default 3. */
  maxRestarts?: number;
  /** Batches an actor is given before it is closed and replaced by a fresh one (to contain leaks). Default: no limit. */
  maxTasksPerWorker?: number;
  /**
   * Batches sent to an actor ahead of its answers (those sent in one turn travel in one message).
   * Default: enough for two messages of about 1,024 rows, between 2 and 32 (2 for a class `map`).
   */
  maxTasksInFlightPerActor?: number;
  /** An autoscaling pool stops an actor above its minimum that has been idle this long. Default 10000. */
  actorIdleTimeoutMs?: number;
  /** Heap limit of each actor's thread, in MiB (a model's weights may need more than the task pool's). Default: the `workerHeapMb` setting. */
  workerHeapMb?: number;
}

/** `constructorArgs`, typed from the class's constructor: required when the constructor takes arguments. */
export type ConstructorArgsOption<A extends readonly unknown[]> = [] extends A ? { constructorArgs?: A } : { constructorArgs: A };

/** Options of `map` with a class UDF. */
export type ActorMapOptions<A extends readonly unknown[]> = Omit<MapOptions, keyof ActorPoolOptions> &
  ActorPoolOptions &
  ConstructorArgsOption<A>;

/** Options of `mapBatches` with a class UDF. */
export type ActorMapBatchesOptions<A extends readonly unknown[]> = Omit<MapBatchesOptions, keyof ActorPoolOptions> &
  ActorPoolOptions &
  ConstructorArgsOption<A>;

/** Every option a map-like call may receive, as compileUdf checks them. */
type AnyMapOptions = Omit<MapBatchesOptions, keyof ActorPoolOptions> & ActorPoolOptions & { constructorArgs?: readonly unknown[] };

const ACTOR_OPTIONS = [
  'constructorArgs',
  'maxRestarts',
  'maxTasksPerWorker',
  'maxTasksInFlightPerActor',
  'actorIdleTimeoutMs',
  'workerHeapMb',
] as const;

export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_RESTARTS = 3;
/** Rows an actor has in flight by default: two messages of about 1,024 rows, as batches of batchSize (2 to 32 of them). */
const ROWS_IN_FLIGHT_PER_ACTOR = 2048;
const MAX_DEFAULT_TASKS_IN_FLIGHT_PER_ACTOR = 32;
const MIN_TASKS_IN_FLIGHT_PER_ACTOR = 2;
const DEFAULT_ACTOR_IDLE_TIMEOUT_MS = 10_000;

export interface CompiledUdf {
  readonly fn: FnRef;
  readonly name: string;
  readonly compute: Compute;
  readonly retry: RetryPolicy;
  readonly onError: OnError;
  /** Declared output column types, checked; undefined when none were given. */
  readonly types: Readonly<Record<string, ColumnTypeName>> | undefined;
}

/** A `types` option (per-column types or an Arrow Schema) as checked type names; `option` names it in the error. */
export function checkedColumnTypes(option: string, types: ColumnTypes | Schema): Readonly<Record<string, ColumnTypeName>> {
  if (typeof types !== 'object' || types === null)
    throw new InvalidOptionError(option, types, 'an object of column types, or an Arrow Schema');
  const checked = columnTypeNames(types);
  if ('names' in checked) return checked.names;
  throw new InvalidOptionError(
    `${option}.${checked.column}`,
    checked.type,
    `a column type: one of ${COLUMN_TYPE_NAMES.map((n) => `'${n}'`).join(', ')}, or the Arrow type of one`,
  );
}

type AnyFunction = (...args: never[]) => unknown;
/** A function, or a class (whose instances' `call` is the UDF). */
type Target = AnyFunction | AnyActorClass;

/** Checks a map-like call's function and options and decides where it runs. */
export function compileUdf(operator: string, target: Target | UdfRef<Target>, options: AnyMapOptions = {}): CompiledUdf {
  const ref = isUdfRef(target) ? target : null;
  const fn = ref ? (ref.target as Target) : target;
  if (typeof fn !== 'function') throw new InvalidOptionError(`${operator} function`, fn, 'a function or udf(import.meta.url, fn)');
  const name = options.name ?? `${operator}(${(ref?.exportName ?? fn.name) || 'anonymous'})`;
  const actor = isClass(fn);
  if (!ref && actor) {
    throw new UdfPlacementError(
      `${name}: ${fn.name} is a class; a class runs on an actor pool, in worker threads. Export it and wrap it: udf(import.meta.url, ${fn.name})`,
    );
  }
  if (!ref) rejectWorkerOptions(name, fn, options);
  if (ref?.args !== undefined && actor) {
    throw new UdfPlacementError(
      `${name}: ${fn.name} is a class; an actor class takes its arguments as constructorArgs: [...], not bound with boundUdf()`,
    );
  }
  checkOptions(name, options, actor);
  const retry: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    retryExceptions: options.retryExceptions ?? false,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const onError = options.onError ?? 'fail';
  const types = options.types === undefined ? undefined : checkedColumnTypes('types', options.types);
  if (ref) {
    return {
      fn: moduleRef(ref),
      name,
      compute: actor
        ? actorCompute(name, fn, options)
        : { kind: 'tasks', numCpus: options.numCpus ?? 1, concurrency: fixedConcurrency(options) },
      retry,
      onError,
      types,
    };
  }
  // A class without udf() was refused above: a local target is a function.
  return {
    fn: { kind: 'local', fn: fn as AnyFunction },
    name,
    compute: { kind: 'main', concurrency: fixedConcurrency(options) ?? DEFAULT_ROW_CONCURRENCY },
    retry,
    onError,
    types,
  };
}

/** An actor pool's settings; checkOptions has checked each value. The default pool is one actor. */
function actorCompute(name: string, cls: Target, options: AnyMapOptions): ActorCompute {
  const [min, max] = typeof options.concurrency === 'object' ? options.concurrency : [options.concurrency ?? 1, options.concurrency ?? 1];
  // A constructor with required parameters that gets none would fail in every actor: say so now.
  if (options.constructorArgs === undefined && cls.length > 0) {
    throw new UdfPlacementError(
      `${name}: the constructor of ${cls.name} takes ${cls.length} argument${cls.length === 1 ? '' : 's'}; pass them as constructorArgs: [...]`,
    );
  }
  return {
    kind: 'actors',
    min,
    max,
    numCpus: options.numCpus ?? 1,
    numGpus: options.numGpus ?? 0,
    maxRestarts: options.maxRestarts ?? DEFAULT_MAX_RESTARTS,
    maxTasksPerWorker: options.maxTasksPerWorker ?? null,
    maxTasksInFlightPerActor: options.maxTasksInFlightPerActor ?? defaultTasksInFlightPerActor(options.batchSize),
    idleTimeoutMs: options.actorIdleTimeoutMs ?? DEFAULT_ACTOR_IDLE_TIMEOUT_MS,
    heapMb: options.workerHeapMb ?? null,
    constructorArgs: options.constructorArgs ?? [],
  };
}

/**
 * Batches of a few rows cost an actor more in messages and encoding than in work: it gets more
 * of them at once. A class `map` (one row per call, in blocks of any size) keeps 2.
 */
function defaultTasksInFlightPerActor(batchSize: number | null | undefined): number {
  if (batchSize === undefined || batchSize === null) return MIN_TASKS_IN_FLIGHT_PER_ACTOR;
  return Math.min(
    MAX_DEFAULT_TASKS_IN_FLIGHT_PER_ACTOR,
    Math.max(MIN_TASKS_IN_FLIGHT_PER_ACTOR, Math.ceil(ROWS_IN_FLIGHT_PER_ACTOR / batchSize)),
  );
}

/**
 * A plain function runs on the main thread: options that only mean something on worker
 * threads (CPUs or GPUs per task, an actor pool's size range, a time limit that ends the
 * worker) get an error that says how to send it there, before any check that would only say
 * the option is wrong.
 */
function rejectWorkerOptions(name: string, fn: Target, options: AnyMapOptions): void {
  if (options.timeoutMs !== undefined) {
    throw new UdfPlacementError(
      `${name}: timeoutMs ends the worker of a call that never returns, and a plain function runs on the main thread, which ` +
        `cannot be ended. Export it and wrap it: udf(import.meta.url, ${fn.name || 'fn'}) — or drop timeoutMs`,
    );
  }
  const asked =
    options.numCpus !== undefined
      ? 'numCpus'
      : options.numGpus !== undefined && options.numGpus !== 0
        ? 'numGpus'
        : Array.isArray(options.concurrency)
          ? 'concurrency [min, max]'
          : null;
  if (asked === null) return;
  const option = asked.split(' ')[0];
  throw new UdfPlacementError(
    `${name}: ${asked} places a function on worker threads, and a plain function cannot be sent to another thread. ` +
      `Export it and wrap it: udf(import.meta.url, ${fn.name || 'fn'}) — or drop ${option} to run it on the main thread`,
  );
}

function checkOptions(name: string, options: AnyMapOptions, actor: boolean): void {
  const known = new Set<string>([
    'name',
    'concurrency',
    'numCpus',
    'numGpus',
    'maxRetries',
    'retryExceptions',
    'onError',
    'timeoutMs',
    'batchSize',
    'batchFormat',
    'types',
    ...ACTOR_OPTIONS,
  ]);
  checkKnownOptions(name, options, [...known]);
  if (!actor) rejectActorOptions(name, options);
  if (Array.isArray(options.concurrency)) {
    const [min, max] = options.concurrency as readonly unknown[];
    if (options.concurrency.length !== 2 || !isWhole(min, 1) || !isWhole(max, 1) || (max as number) < (min as number)) {
      throw new InvalidOptionError(
        'concurrency',
        options.concurrency,
        'a number of actors, or [min, max] with whole numbers 1 <= min <= max',
      );
    }
  } else if (options.concurrency !== undefined) {
    positiveInteger('concurrency', options.concurrency);
  }
  if (options.numCpus !== undefined && !(typeof options.numCpus === 'number' && options.numCpus > 0)) {
    throw new InvalidOptionError('numCpus', options.numCpus, 'a number of CPUs > 0 (fractions allowed)');
  }
  const gpus = options.numGpus;
  if (gpus !== undefined && !(typeof gpus === 'number' && gpus >= 0 && (gpus <= 1 || Number.isInteger(gpus)))) {
    throw new InvalidOptionError('numGpus', gpus, 'a share of one GPU (0 < numGpus <= 1, such as 0.25) or a whole number of GPUs');
  }
  if (options.maxRetries !== undefined && !isWhole(options.maxRetries, 0))
    throw new InvalidOptionError('maxRetries', options.maxRetries, 'a whole number >= 0');
  if (options.maxRestarts !== undefined && !isWhole(options.maxRestarts, 0))
    throw new InvalidOptionError('maxRestarts', options.maxRestarts, 'a whole number >= 0');
  if (options.maxTasksPerWorker !== undefined) positiveInteger('maxTasksPerWorker', options.maxTasksPerWorker);
  if (options.maxTasksInFlightPerActor !== undefined) positiveInteger('maxTasksInFlightPerActor', options.maxTasksInFlightPerActor);
  if (options.workerHeapMb !== undefined && !(Number.isInteger(options.workerHeapMb) && options.workerHeapMb >= 16)) {
    throw new InvalidOptionError('workerHeapMb', options.workerHeapMb, 'a whole number of MiB >= 16');
  }
  if (options.actorIdleTimeoutMs !== undefined && !(typeof options.actorIdleTimeoutMs === 'number' && options.actorIdleTimeoutMs >= 0)) {
    throw new InvalidOptionError('actorIdleTimeoutMs', options.actorIdleTimeoutMs, 'a number of milliseconds >= 0');
  }
  if (options.constructorArgs !== undefined && !Array.isArray(options.constructorArgs)) {
    throw new InvalidOptionError('constructorArgs', options.constructorArgs, 'an array of the arguments to pass to the constructor');
  }
  if (options.onError !== undefined && options.onError !== 'fail' && options.onError !== 'skip') {
    throw new InvalidOptionError('onError', options.onError, "'fail' or 'skip'");
  }
  if (options.timeoutMs !== undefined) positiveInteger('timeoutMs', options.timeoutMs);
  if (options.batchSize !== undefined && options.batchSize !== null) positiveInteger('batchSize', options.batchSize);
  if (options.batchFormat !== undefined && !BATCH_FORMATS.includes(options.batchFormat)) {
    throw new InvalidOptionError('batchFormat', options.batchFormat, BATCH_FORMATS.map((f) => `'${f}'`).join(', '));
  }
}

/** Options that only an actor pool has, given with a function (which runs on the task pool). */
function rejectActorOptions(name: string, options: AnyMapOptions): void {
  const asked = Array.isArray(options.concurrency)
    ? 'concurrency [min, max]'
    : options.numGpus !== undefined && options.numGpus !== 0
      ? 'numGpus'
      : ACTOR_OPTIONS.find((key) => options[key] !== undefined);
  if (asked === undefined) return;
  throw new UdfPlacementError(
    `${name}: ${asked} applies to actor pools, which run class UDFs: export a class with call(batch) and pass udf(import.meta.url, SomeClass)` +
      (asked.startsWith('concurrency') ? '; for a function, give a number of concurrent calls' : ''),
  );
}

/** The numeric concurrency; checkOptions has already refused a range for a function. */
function fixedConcurrency(options: AnyMapOptions): number | undefined {
  return typeof options.concurrency === 'number' ? options.concurrency : undefined;
}

export function positiveInteger(option: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1))
    throw new InvalidOptionError(option, value, 'a whole number >= 1');
  return value;
}

function isWhole(value: unknown, least: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= least;
}

function isClass(fn: Target): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}
