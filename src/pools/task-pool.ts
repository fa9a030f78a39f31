import { createRequire } from 'node:module';
import { SHARE_ENV } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { Block } from '../blocks/block.js';
import { packBlocks, unpackBlocks } from '../blocks/packed-blocks.js';
import type { WatchedTask } from '../observe/task-watch.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import type { Transform } from '../tasks/transform.js';
import { newStartMark, readStart } from './start-mark.js';
import { replyToError, type TaskReply, type TaskRequest } from './task-protocol.js';
import { workerExecArgv } from './worker-exec-argv.js';
import { sizeWorkerHeaps } from './worker-heap.js';

/**
 * piscina, loaded when the first pool starts: importing sluice, and jobs of main-thread
 * operators, do not pay for it (~20 ms). Its ESM entry re-exports this same CommonJS build.
 */
function loadPiscina(): typeof Piscina {
  return (createRequire(import.meta.url)('piscina') as typeof import('piscina')).Piscina;
}

/**
 * Worker threads for stateless UDFs (piscina). Blocks travel packed (blocks/packed-blocks.ts),
 * their buffers in the transfer list both ways. A task whose UDF throws rejects with a UdfError; a task whose
 * worker dies rejects with piscina's error, and piscina starts a replacement worker.
 */
export class TaskPool {
  private readonly piscina: Piscina;
  /**
   * False once a task was aborted or lost its worker, or a worker reported that a module it
   * imported stopped at a job (see tasks/job-in-worker.ts): such a pool is shut down after
   * its job instead of serving the next one.
   */
  private reusable = true;

  constructor(
    readonly size: number,
    readonly heapMb: number,
  ) {
    sizeWorkerHeaps();
    this.piscina = new (loadPiscina())({
      filename: new URL('./task-worker.js', import.meta.url).href,
      minThreads: size,
      maxThreads: size,
      // Workers idle between tasks keep their event loop running (async UDFs, module loading).
      atomics: 'disabled',
      idleTimeout: Infinity,
      // Workers see process.env as it is now, not as it was when they started: a pool outlives its job.
      env: SHARE_ENV,
      // A runaway heap ends its worker (a crash, retried) instead of growing to the machine's limit.
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      // piscina loads the task module with require() first, which Node 20.19+ turns into a
      // synchronous require(esm); that path aborted whole test processes now and then on Node
      // 20.20 ("v8::Module::IsGraphAsync must be used on an instantiated module"). Without it,
      // piscina falls back to import(), the loader's ordinary path.
      execArgv: workerExecArgv(['--no-experimental-require-module']),
    });
    // Errors are reported through each task's promise; a pool-level 'error' has no one to tell.
    this.piscina.on('error', () => {});
  }

  /** Runs a chain on a worker; `watched` learns which worker thread runs it, once one does (a task may wait in piscina's queue). */
  async run(
    block: Block,
    transforms: readonly Transform[],
    taskIndex: number,
    concurrency: number,
    signal: AbortSignal,
    watched?: Pick<WatchedTask, 'runsAt'>,
  ): Promise<TaskOutcome> {
    const input = packBlocks([block]);
    let startMark: SharedArrayBuffer | undefined;
    if (watched !== undefined) {
      const mark = (startMark = newStartMark());
      watched.runsAt(() => {
        const start = readStart(mark);
        return start && { thread: `worker thread ${start.what}`, startedAt: start.at };
      });
    }
    const request: TaskRequest = { input, transforms, taskIndex, concurrency, startMark };
    let reply: TaskReply;
    try {
      reply = (await this.piscina.run(request, { transferList: input.streams, signal })) as TaskReply;
    } catch (error) {
      this.reusable = false;
      throw error;
    }
    if (reply.blockedAtJob) this.reusable = false;
    if (!reply.ok) throw replyToError(reply);
    return { block: unpackBlocks(reply.output.streams, reply.output.parts)[0], skipped: reply.skipped, udfMs: reply.udfMs };
  }

  get canServeAnotherJob(): boolean {
    return this.reusable;
  }

  get threads(): number {
    return this.piscina.threads.length;
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}

/**
 * Pools in use, each with the number of running jobs that use it: concurrent jobs of the same
 * `cpus` and heap limit share one pool, so the process runs `cpus` worker threads, not that many
 * per job (their tasks also share the process's CPU slots, exec/process-slots.ts).
 */
const inUse = new Map<TaskPool, number>();

/**
 * A pool whose last job ended cleanly, kept for the next job: starting worker threads (each
 * imports Arrow and the UDF modules) costs a few hundred ms per job otherwise. Its idle
 * workers do not keep the process alive (piscina unrefs them), so a script still exits by itself.
 */
let idlePool: TaskPool | null = null;

/** A pool of `threads` workers of `heapMb` heap each for a job: one a running job uses, the kept one, or a new one. */
export function acquireTaskPool(threads: number, heapMb: number): TaskPool {
  const fits = (pool: TaskPool) => pool.size === threads && pool.heapMb === heapMb && pool.canServeAnotherJob;
  let pool = [...inUse.keys()].find(fits);
  if (pool === undefined) {
    const kept = idlePool;
    idlePool = null;
    if (kept !== null && fits(kept)) pool = kept;
    else {
      void kept?.destroy();
      pool = new TaskPool(threads, heapMb);
    }
  }
  inUse.set(pool, (inUse.get(pool) ?? 0) + 1);
  return pool;
}

/**
 * Hands a job's pool back. Its last job keeps it for the next job when it is fit to, else shuts
 * it down (after a cancel, a crash or an abort, so that the process can exit at once).
 */
export async function releaseTaskPool(pool: TaskPool): Promise<void> {
  const users = (inUse.get(pool) ?? 1) - 1;
  if (users > 0) {
    inUse.set(pool, users);
    return;
  }
  inUse.delete(pool);
  if (pool.canServeAnotherJob && idlePool === null) {
    idlePool = pool;
    return;
  }
  await pool.destroy();
}
