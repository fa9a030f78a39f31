import type { BatchFormat } from '../blocks/batch-format.js';
import { BATCH_FORMATS } from '../blocks/batch-format.js';
import { InvalidOptionError, UdfPlacementError } from '../errors.js';
import type { Compute, RetryPolicy } from '../plan/logical.js';
import type { FnRef, OnError } from '../plan/transforms.js';
import { isUdfRef, type UdfRef } from './udf.js';

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
  /** GPUs per worker; needs an actor-pool UDF (a class), which this version does not run. */
  numGpus?: number;
  /** Retries of a task whose worker died; with `retryExceptions`, also of one whose UDF threw. Default 3. */
  maxRetries?: number;
  retryExceptions?: boolean;
  /** 'skip' drops failing rows (or batches), records them in the error log, and goes on. Default 'fail'. */
  onError?: OnError;
}

export interface MapBatchesOptions extends MapOptions {
  /** Rows per batch; exact except for the last batch. `null` hands whole blocks. Default 1024. */
  batchSize?: number | null;
  /** 'rows' (objects), 'arrow' (an apache-arrow Table), 'columns' (typed arrays). Default 'rows'. */
  batchFormat?: BatchFormat;
}

export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAIN_CONCURRENCY = 16;

export interface CompiledUdf {
  readonly fn: FnRef;
  readonly name: string;
  readonly compute: Compute;
  readonly retry: RetryPolicy;
  readonly onError: OnError;
}

type AnyFunction = (...args: never[]) => unknown;

/** Checks a map-like call's function and options and decides where it runs. */
export function compileUdf(operator: string, target: AnyFunction | UdfRef<AnyFunction>, options: MapOptions = {}): CompiledUdf {
  const ref = isUdfRef(target) ? target : null;
  const fn = ref ? ref.target : target;
  if (typeof fn !== 'function') throw new InvalidOptionError(`${operator} function`, fn, 'a function or udf(import.meta.url, fn)');
  const name = options.name ?? `${operator}(${(ref?.exportName ?? fn.name) || 'anonymous'})`;
  if (!ref) rejectWorkerOptions(name, fn, options);
  checkOptions(name, options);
  if (isClass(fn)) {
    throw new UdfPlacementError(`${name}: ${fn.name} is a class; class UDFs need an actor pool, which this version of sluice does not run yet. Pass an exported function instead`);
  }
  if (options.numGpus !== undefined && options.numGpus !== 0) {
    throw new UdfPlacementError(`${name}: numGpus needs an actor-pool UDF (a class), which this version of sluice does not run yet`);
  }
  const retry: RetryPolicy = { maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES, retryExceptions: options.retryExceptions ?? false };
  const onError = options.onError ?? 'fail';
  if (ref) {
    return {
      fn: { kind: 'module', moduleUrl: ref.moduleUrl, exportName: ref.exportName },
      name,
      compute: { kind: 'tasks', numCpus: options.numCpus ?? 1, concurrency: fixedConcurrency(options) },
      retry,
      onError,
    };
  }
  return { fn: { kind: 'local', fn }, name, compute: { kind: 'main', concurrency: fixedConcurrency(options) ?? DEFAULT_MAIN_CONCURRENCY }, retry, onError };
}

/**
 * A plain function runs on the main thread: options that only mean something on worker
 * threads (CPUs or GPUs per task, an actor pool's size range) get an error that says how to
 * send it there, before any check that would only say the option is wrong.
 */
function rejectWorkerOptions(name: string, fn: AnyFunction, options: MapOptions): void {
  const asked =
    options.numCpus !== undefined ? 'numCpus'
    : options.numGpus !== undefined && options.numGpus !== 0 ? 'numGpus'
    : Array.isArray(options.concurrency) ? 'concurrency [min, max]'
    : null;
  if (asked === null) return;
  const option = asked.split(' ')[0];
  throw new UdfPlacementError(
    `${name}: ${asked} places a function on worker threads, and a plain function cannot be sent to another thread. ` +
      `Export it and wrap it: udf(import.meta.url, ${fn.name || 'fn'}) — or drop ${option} to run it on the main thread`,
  );
}

function checkOptions(name: string, options: MapOptions & MapBatchesOptions): void {
  const known = new Set(['name', 'concurrency', 'numCpus', 'numGpus', 'maxRetries', 'retryExceptions', 'onError', 'batchSize', 'batchFormat']);
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    if (['maxTasksPerWorker', 'maxRestarts', 'constructorArgs'].includes(key)) {
      throw new UdfPlacementError(`${name}: '${key}' applies to actor-pool UDFs (classes), which this version of sluice does not run yet`);
    }
    throw new InvalidOptionError(key, (options as Record<string, unknown>)[key], `one of ${[...known].join(', ')}`);
  }
  if (options.concurrency !== undefined) {
    if (Array.isArray(options.concurrency)) {
      throw new UdfPlacementError(`${name}: concurrency [min, max] asks for an autoscaling actor pool, which needs a class UDF; give a number of concurrent calls instead`);
    }
    positiveInteger('concurrency', options.concurrency);
  }
  if (options.numCpus !== undefined && !(typeof options.numCpus === 'number' && options.numCpus > 0)) {
    throw new InvalidOptionError('numCpus', options.numCpus, 'a number of CPUs > 0 (fractions allowed)');
  }
  if (options.maxRetries !== undefined && !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0)) {
    throw new InvalidOptionError('maxRetries', options.maxRetries, 'a whole number >= 0');
  }
  if (options.onError !== undefined && options.onError !== 'fail' && options.onError !== 'skip') {
    throw new InvalidOptionError('onError', options.onError, "'fail' or 'skip'");
  }
  if (options.batchSize !== undefined && options.batchSize !== null) positiveInteger('batchSize', options.batchSize);
  if (options.batchFormat !== undefined && !BATCH_FORMATS.includes(options.batchFormat)) {
    throw new InvalidOptionError('batchFormat', options.batchFormat, BATCH_FORMATS.map((f) => `'${f}'`).join(', '));
  }
}

/** The numeric concurrency; checkOptions has already refused a range. */
function fixedConcurrency(options: MapOptions): number | undefined {
  return typeof options.concurrency === 'number' ? options.concurrency : undefined;
}

export function positiveInteger(option: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) throw new InvalidOptionError(option, value, 'a whole number >= 1');
  return value;
}

function isClass(fn: AnyFunction): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}
