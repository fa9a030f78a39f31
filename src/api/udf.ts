import { UdfPlacementError } from '../errors.js';
import { registerUdf } from '../pools/udf-registry.js';

/**
 * A function exported from a module, marked to run on worker threads. Workers import
 * `moduleUrl` and find the same export by name; the same reference is what a plan carries
 * to another machine.
 */
export interface UdfRef<F> {
  readonly kind: 'udf';
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly target: F;
}

// Functions and classes alike are callable objects; `Function` is the one type for both.
type Callable = Function;

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
    throw new UdfPlacementError(`udf() takes the module's URL as its first argument (import.meta.url); received ${JSON.stringify(moduleUrl)}`);
  }
  registerUdf(moduleUrl, exportName, target);
  return Object.freeze({ kind: 'udf', moduleUrl, exportName, target });
}

export function isUdfRef(value: unknown): value is UdfRef<Callable> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'udf';
}
