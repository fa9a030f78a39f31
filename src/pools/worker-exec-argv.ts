import { Worker } from 'node:worker_threads';

let inherited: readonly string[] | undefined;

/**
 * The node options a pool's worker threads start with: the process's own (`--import` loaders,
 * `--enable-source-maps`, conditions), less those a Worker refuses, plus `extra`. Node refuses
 * V8 flags and per-process options in a Worker's execArgv (`node --max-old-space-size=8192
 * job.js` failed every task with ERR_WORKER_INVALID_EXEC_ARGV); they apply to the whole
 * process already, so leaving them out changes nothing in the worker.
 */
export function workerExecArgv(extra: readonly string[]): string[] {
  inherited ??= acceptedByWorkers(process.execArgv);
  return [...inherited, ...extra];
}

/**
 * Node checks a Worker's execArgv when it is made and names every option it refuses, so a probe
 * (a worker of no code, ended at once) finds them, and a second one checks what is left; a
 * refusal it cannot read leaves the process's options out altogether.
 */
function acceptedByWorkers(execArgv: readonly string[]): readonly string[] {
  if (execArgv.length === 0) return [];
  const refused = refusedByWorkers(execArgv);
  if (refused === null) return execArgv;
  const kept = execArgv.filter((flag) => !refused.has(flag));
  return kept.length < execArgv.length && refusedByWorkers(kept) === null ? kept : [];
}

/** The options a Worker refuses among these: null when it takes them all, an empty set when its refusal names none. */
function refusedByWorkers(execArgv: readonly string[]): Set<string> | null {
  if (execArgv.length === 0) return null;
  try {
    void new Worker('', { eval: true, execArgv: [...execArgv], stdout: true, stderr: true }).terminate();
    return null;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || typeof message !== 'string') return new Set();
    return new Set(
      message
        .slice(message.indexOf(':') + 1)
        .split(',')
        .map((flag) => flag.trim()),
    );
  }
}
