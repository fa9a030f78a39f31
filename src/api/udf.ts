import { InvalidOptionError, UdfPlacementError } from '../errors.js';
import type { FnRef } from '../tasks/transform.js';
import { registerUdf } from '../tasks/udf-registry.js';

declare const runs: unique symbol;

/**
 * A function exported from a module, marked to run on worker threads. Workers import
 * `moduleUrl` and find the same export by name; the same reference is what a plan carries
 * to another machine.
 */
export interface UdfRef<F> {
  readonly kind: 'udf';
  readonly moduleUrl: string;
  readonly exportName: string;
  /** The export: the function or class that runs or, with `args`, the factory that makes the function. */
  readonly target: Callable;
  /** The arguments a factory export is called with in each worker (see boundUdf). */
  readonly args?: readonly unknown[];
  /** The type of what runs, for the type checker only: a bound ref's target is its factory. */
  readonly [runs]?: F;
}

// Functions and classes alike: what udf() marks.
type Callable = ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);

/**
 * Marks `target`, exported from the module at `moduleUrl` (pass `import.meta.url`), to run
 * on the task pool. The export name defaults to the function's own name.
 */
export function udf<F extends Callable>(moduleUrl: string, target: F, exportName: string = target.name): UdfRef<F> {
  if (typeof target !== 'function') {
    throw new UdfPlacementError(`udf() takes an exported function or class; received ${typeof target}`);
  }
  if (!exportName) {
    throw new UdfPlacementError(
      'udf() needs the name the function is exported under: export a named function, or pass the name as the third argument',
    );
  }
  if (!/^(file|data|node):/.test(moduleUrl)) {
    throw new UdfPlacementError(
      `udf() takes the module's URL as its first argument (import.meta.url); received ${JSON.stringify(moduleUrl)}`,
    );
  }
  registerUdf(moduleUrl, exportName, target);
  return Object.freeze({ kind: 'udf', moduleUrl, exportName, target });
}

/**
 * A task-pool UDF with parameters. A closure cannot travel to a worker, but its parameters
 * can: `factory`, exported from the module at `moduleUrl`, takes them and returns (or
 * resolves to) the function to run. Each worker calls `factory(...args)` once per distinct
 * `args` and keeps the function, so a factory may do costly setup (load a vocabulary).
 * `args` travel with the plan, so they are plain JSON data: no functions or class instances.
 *
 * ```ts
 * export function tagRows(tag: string) {
 *   return (row: { id: number }) => ({ ...row, tag });
 * }
 * ds.map(boundUdf(import.meta.url, tagRows, ['draft']));
 * ```
 */
export function boundUdf<A extends unknown[], F extends (...args: never[]) => unknown>(
  moduleUrl: string,
  factory: (...args: A) => F | Promise<F>,
  args: A,
  exportName: string = factory.name,
): UdfRef<F> {
  if (!Array.isArray(args) || !args.every(isJsonData)) {
    throw new InvalidOptionError(
      `${exportName || 'boundUdf'} args`,
      args,
      'an array of plain JSON data (strings, finite numbers, booleans, null, arrays and plain objects of them)',
    );
  }
  udf(moduleUrl, factory, exportName);
  return Object.freeze({ kind: 'udf', moduleUrl, exportName, target: factory, args: Object.freeze([...args]) });
}

export function isUdfRef(value: unknown): value is UdfRef<Callable> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'udf';
}

/** The plain-data reference a plan carries for a UDF. */
export function moduleRef(ref: UdfRef<unknown>): Extract<FnRef, { kind: 'module' }> {
  const { moduleUrl, exportName, args } = ref;
  return args === undefined ? { kind: 'module', moduleUrl, exportName } : { kind: 'module', moduleUrl, exportName, args };
}

function isJsonData(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonData);
  if (typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value).every(isJsonData);
}
