import { UdfResolveError } from '../errors.js';
import { LoadedOnce } from './loaded-once.js';
import type { ModuleRef } from './transform.js';

/**
 * Where workers find UDFs. A worker imports the UDF's module; when that module is a script
 * whose top level runs a job, the import never finishes (see job-in-worker.ts), but its
 * `udf(...)` calls have already registered the functions here, so the worker finds them
 * without waiting for the import.
 */
interface Registry {
  readonly entries: Map<string, unknown>;
  readonly waiters: Map<string, Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }>>;
  /** Set once a module imported by this worker started a job: it will not get any further. */
  blockedAtJob: boolean;
}

const REGISTRY_KEY = Symbol.for('sluice.udfRegistry');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY_KEY] ??= { entries: new Map(), waiters: new Map(), blockedAtJob: false });
}

const keyOf = (moduleUrl: string, exportName: string) => `${moduleUrl}#${exportName}`;

export function registerUdf(moduleUrl: string, exportName: string, target: unknown): void {
  const { entries, waiters } = registry();
  const key = keyOf(moduleUrl, exportName);
  entries.set(key, target);
  for (const waiter of waiters.get(key) ?? []) waiter.resolve(target);
  waiters.delete(key);
}

/**
 * Called when a module that a worker imports starts a job at its top level: its evaluation
 * stops there for good, so UDFs it has not registered by now never will be.
 */
export function moduleBlockedAtJob(): void {
  const state = registry();
  state.blockedAtJob = true;
  for (const [key, list] of state.waiters) for (const waiter of list) waiter.reject(blockedError(key));
  state.waiters.clear();
}

/** Whether a module this worker imported has stopped at a job (its evaluation never finishes). */
export function isBlockedAtJob(): boolean {
  return registry().blockedAtJob;
}

function blockedError(key: string): UdfResolveError {
  const [moduleUrl, exportName] = key.split('#');
  return new UdfResolveError(
    `the module ${moduleUrl} started a job before it called udf(import.meta.url, ${exportName}); workers import the module ` +
      `to find its UDFs and stop at its first job, so call udf() for every worker function before the first job runs ` +
      `(or keep the functions in a module of their own)`,
  );
}

const loaded = new LoadedOnce<unknown>();

/** Finds an exported UDF by module URL and export name (cached per worker). */
export function loadUdf(moduleUrl: string, exportName: string): Promise<unknown> {
  const key = keyOf(moduleUrl, exportName);
  return loaded.get(key, () => resolveUdf(moduleUrl, exportName, key));
}

/**
 * The function a module reference names: the export itself or, when the reference binds
 * `args`, what the exported factory returns for them. A factory runs once per worker per
 * distinct args (it may load a model or a vocabulary), not once per task.
 */
export function loadModuleFn(ref: ModuleRef): Promise<unknown> {
  const { moduleUrl, exportName, args } = ref;
  if (args === undefined) return loadUdf(moduleUrl, exportName);
  return loaded.get(`${keyOf(moduleUrl, exportName)}(${JSON.stringify(args)})`, async () => {
    const factory = (await loadUdf(moduleUrl, exportName)) as (...factoryArgs: unknown[]) => unknown;
    const made = await factory(...args);
    if (typeof made !== 'function') {
      throw new UdfResolveError(
        `'${exportName}' of ${moduleUrl} is bound to arguments, so it must return the function to run; it returned ${typeof made}`,
      );
    }
    return made;
  });
}

function resolveUdf(moduleUrl: string, exportName: string, key: string): Promise<unknown> {
  const { entries, waiters } = registry();
  const state = registry();
  const known = entries.get(key);
  if (known !== undefined) return Promise.resolve(known);
  if (state.blockedAtJob) return Promise.reject(blockedError(key));
  const registered = new Promise<unknown>((resolve, reject) => {
    const list = waiters.get(key) ?? [];
    list.push({ resolve, reject });
    waiters.set(key, list);
  });
  const imported = import(moduleUrl).then(
    (ns: Record<string, unknown>) => {
      const found = ns[exportName] ?? entries.get(key);
      if (typeof found !== 'function') {
        throw new UdfResolveError(
          `the module ${moduleUrl} has no exported function '${exportName}'; udf(import.meta.url, fn) needs fn to be exported from the module that calls it`,
        );
      }
      return found;
    },
    (error: unknown) => {
      throw new UdfResolveError(`a worker could not import ${moduleUrl} to find '${exportName}': ${String(error)}`, { cause: error });
    },
  );
  return Promise.race([imported, registered]);
}
