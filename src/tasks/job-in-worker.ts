import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transform } from './transform.js';
import { moduleBlockedAtJob } from './udf-registry.js';

/**
 * A job started inside a worker. Workers find a UDF by importing the module that exports it;
 * when that module is a user script that also runs a job at its top level, the import
 * reaches the job inside the worker. That job must not run there (it would start pools of
 * its own), and the script's evaluation must not go on past it, so the job waits forever
 * (`parkJobInWorker`): the import never finishes. What makes this work, in one list:
 * - the worker entries call `markSluiceWorker()` before they import any user module;
 * - the UDF registry (udf-registry.ts) finds functions that `udf()` registered before the job
 *   without waiting for the import, and fails lookups of any other with a message that says
 *   to call `udf()` before the first job;
 * - each reply of such a worker says so (`blockedAtJob`), and the task pool that owns it is
 *   shut down after its job rather than reused (its worker would refuse the next job's UDFs).
 */
const WORKER_KEY = Symbol.for('sluice.insideWorker');

export function markSluiceWorker(): void {
  (globalThis as unknown as Record<symbol, boolean>)[WORKER_KEY] = true;
}

export function insideSluiceWorker(): boolean {
  return (globalThis as unknown as Record<symbol, boolean | undefined>)[WORKER_KEY] === true;
}

/** Stops a job that a worker's import of a user script started: it never settles (see above). */
export function parkJobInWorker(): Promise<never> {
  moduleBlockedAtJob();
  return new Promise<never>(() => {});
}

/**
 * The entry script's worker functions: workers that import the process's entry script to find
 * a UDF run its top-level code up to its first job, once per worker (console output, files
 * written, requests sent). That works (see above), but it is rarely what the author expects, so
 * the main thread says so once per process, with the fix, when a job that sends such a UDF to
 * workers starts. `steps` are the transforms that run on workers (task or actor pools).
 */
export function warnOfEntryScriptUdfs(steps: readonly Transform[]): void {
  if (warnedOfEntryScript || insideSluiceWorker()) return;
  const entry = entryScriptPath();
  if (entry === null) return;
  const refs = new Map<string, Set<string>>();
  for (const step of steps) collectModuleRefs(step, refs, 0);
  for (const [url, names] of refs) {
    if (modulePath(url) !== entry) continue;
    warnedOfEntryScript = true;
    process.stderr.write(
      `sluice: warning: ${[...names].join(', ')} marked with udf(import.meta.url, ...) in ${entry}, the script this process ` +
        `runs: each worker imports the script to find its UDFs, and so runs the script's top-level code up to its first job ` +
        `once more per worker (console output, files written, requests sent). Move the UDFs to a module of their own ` +
        `(e.g. pipeline-udfs.ts, as examples/pipeline-udfs.ts does) and import them from the script.\n`,
    );
    return;
  }
}

let warnedOfEntryScript = false;
let entryPath: string | null | undefined;

/** The real path of the process's entry script (`process.argv[1]`, as Node resolves it), or null when there is none. */
function entryScriptPath(): string | null {
  if (entryPath !== undefined) return entryPath;
  const script = process.argv[1];
  entryPath = null;
  if (!script) return entryPath;
  try {
    // Node resolves the main script as require would (an extension may be left off) and follows symlinks.
    entryPath = realpathSync(createRequire(import.meta.url).resolve(resolve(script)));
  } catch {
    entryPath = realPathOf(resolve(script));
  }
  return entryPath;
}

/** Real paths of module URLs, looked up once per process: every job asks again. */
const modulePaths = new Map<string, string | null>();

/** The real path of a module's file URL (query and hash aside), or null for other URLs. */
function modulePath(url: string): string | null {
  let path = modulePaths.get(url);
  if (path === undefined) modulePaths.set(url, (path = lookUpModulePath(url)));
  return path;
}

function lookUpModulePath(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'file:') return null;
  parsed.search = '';
  parsed.hash = '';
  return realPathOf(fileURLToPath(parsed));
}

function realPathOf(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Every module a step names, with its export names: its function's and any its plain-data args name (a read's format module). */
function collectModuleRefs(value: unknown, out: Map<string, Set<string>>, depth: number): void {
  // Typed arrays (a read's schema bytes) hold no module; walking them would visit every byte.
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || depth > 8) return;
  if (Array.isArray(value)) {
    for (const item of value) collectModuleRefs(item, out, depth + 1);
    return;
  }
  const { moduleUrl, exportName } = value as { moduleUrl?: unknown; exportName?: unknown };
  if (typeof moduleUrl === 'string') {
    const names = out.get(moduleUrl) ?? new Set<string>();
    if (typeof exportName === 'string') names.add(exportName);
    out.set(moduleUrl, names);
  }
  for (const [key, item] of Object.entries(value)) if (key !== 'moduleUrl') collectModuleRefs(item, out, depth + 1);
}
