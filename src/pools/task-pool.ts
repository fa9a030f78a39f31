import { createRequire } from 'node:module';
import { SHARE_ENV } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { Block } from '../blocks/block.js';
import { movedStreams, packBlocks, unpackBlocks } from '../blocks/packed-blocks.js';
import { receivedReplyStreams, sharedRepliesAllowed } from './shared-replies.js';
import type { WatchedTask } from '../observe/task-watch.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import type { Transform } from '../tasks/transform.js';
import { newStartMark, readStart, withdrawStart } from './start-mark.js';
import { replyToError, type TaskReply, type TaskRequest } from './task-protocol.js';
import { workerExecArgv } from './worker-exec-argv.js';
import { sizeWorkerHeaps } from './worker-heap.js';
import { onAbort } from '../tasks/on-abort.js';

/**
 * piscina, loaded when the first pool starts: importing sluice, and jobs of main-thread
 * operators, do not pay for it (~20 ms). Its ESM entry re-exports this same CommonJS build.
 */
function loadPiscina(): typeof import('piscina') {
  return createRequire(import.meta.url)('piscina') as typeof import('piscina');
}

/** What a task sent behind another answers when it never began: withdrawn, or its worker ended first. */
export const NOT_STARTED = Symbol('not started');

/** A task for the pool: a chain over a block; `watched` learns where it runs. */
export interface PoolCall {
  readonly block: Block;
  readonly transforms: readonly Transform[];
  readonly taskIndex: number;
  readonly concurrency: number;
  readonly watched?: Pick<WatchedTask, 'runsAt'>;
  /** The job's bound on shared replies waiting for collection (shared-replies.ts). */
  readonly sharedReplyBytes: number;
}

/** Where a task goes: to an idle worker, or queued behind the task a worker runs now. */
interface Placement {
  /** The worker (thread id) to queue behind; it begins this task when the one it runs ends. */
  readonly behind?: number;
  /** Told the worker's thread id as the task is handed to it. */
  readonly placed?: (worker: number) => void;
  /** The task's start mark (start-mark.ts): its sender's, to withdraw it before it begins, or a new one. */
  readonly mark?: SharedArrayBuffer;
}

/** piscina's hook that picks a task's worker (its type is not exported on its own). */
type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

/**
 * piscina's choice of worker: a task queued behind another goes to that task's worker, any other
 * only to an idle worker, so a task never shares a worker it would slow down. A queued task whose
 * worker is gone (it ended with the task it ran) is withdrawn and answers at once from an idle
 * worker: its sender then runs it as a task of its own.
 */
function placeTask(queueOptionsSymbol: symbol): LoadBalancer {
  return (task, workers) => {
    const placement = (task as unknown as Record<symbol, Placement | null>)[queueOptionsSymbol] ?? null;
    const live = workers.filter((worker) => !worker.terminating && !worker.destroyed);
    if (placement?.behind !== undefined) {
      const behind = live.find((worker) => worker.id === placement.behind);
      if (behind !== undefined) return behind;
      withdrawStart(placement.mark!);
    }
    const idle = live.find((worker) => worker.currentUsage === 0) ?? null;
    if (idle !== null) placement?.placed?.(idle.id);
    return idle;
  };
}

/**
 * Worker threads for stateless UDFs (piscina). Blocks travel packed (blocks/packed-blocks.ts),
 * their buffers in the transfer list both ways. A task whose UDF throws rejects with a UdfError; a task whose
 * worker dies rejects with piscina's error, and piscina starts a replacement worker. A worker
 * holds at most two tasks: the one it runs and one queued behind it (`Placement.behind`), which
 * it begins as the first ends, without waiting for the main thread (exec/task-lanes.ts).
 */
export class TaskPool {
  private readonly piscina: Piscina;
  private readonly queueOptionsSymbol: symbol;
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
    const piscina = loadPiscina();
    this.queueOptionsSymbol = piscina.queueOptionsSymbol;
    this.piscina = new piscina.Piscina({
      filename: new URL('./task-worker.js', import.meta.url).href,
      minThreads: size,
      maxThreads: size,
      concurrentTasksPerWorker: 2,
      loadBalancer: placeTask(piscina.queueOptionsSymbol),
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

  /**
   * Runs a chain on an idle worker; `watched` learns which worker thread runs it, once one does
   * (a task may wait in piscina's queue), and `placed` which worker piscina handed it to.
   */
  async run(call: PoolCall, signal: AbortSignal, placed?: (worker: number) => void): Promise<TaskOutcome> {
    return (await this.send(call, signal, { placed })) as TaskOutcome;
  }

  /**
   * Runs a chain queued behind the task `worker` runs now: the worker begins it as that one
   * ends. It answers NOT_STARTED when it never began: withdrawn through `mark` (start-mark.ts),
   * aborted before it began, or lost with its worker while it waited (an attempt not its own).
   */
  runBehind(worker: number, mark: SharedArrayBuffer, call: PoolCall, signal: AbortSignal): Promise<TaskOutcome | typeof NOT_STARTED> {
    return this.send(call, signal, { behind: worker, mark });
  }

  private async send(call: PoolCall, signal: AbortSignal, placement: Placement): Promise<TaskOutcome | typeof NOT_STARTED> {
    const input = packBlocks([call.block], false);
    const startMark = placement.mark ?? newStartMark();
    call.watched?.runsAt(() => {
      const start = readStart(startMark);
      return start && { thread: `worker thread ${start.what}`, startedAt: start.at };
    });
    const { transforms, taskIndex, concurrency } = call;
    const request: TaskRequest & Record<symbol, Placement> = {
      input,
      transforms,
      taskIndex,
      concurrency,
      startMark,
      sharedReply: sharedRepliesAllowed(call.sharedReplyBytes),
      [this.queueOptionsSymbol]: { ...placement, mark: startMark },
    };
    const queued = placement.behind !== undefined;
    // Aborting a task piscina has placed ends its worker, and with it the task that runs there:
    // a queued task that has not begun is withdrawn instead (and one withdrawn already left alone).
    const sent = queued ? new AbortController() : null;
    const forget =
      sent === null
        ? () => {}
        : onAbort(signal, () => {
            if (!withdrawStart(startMark) && readStart(startMark) !== null) sent.abort();
          });
    let reply: TaskReply | null;
    try {
      reply = (await this.piscina.run(request, {
        transferList: movedStreams(input.streams),
        signal: sent?.signal ?? signal,
      })) as TaskReply | null;
    } catch (error) {
      this.reusable = false;
      if (queued && readStart(startMark) === null) return NOT_STARTED;
      throw error;
    } finally {
      forget();
    }
    if (reply === null) return NOT_STARTED;
    if (reply.blockedAtJob) this.reusable = false;
    if (!reply.ok) throw replyToError(reply);
    receivedReplyStreams(reply.output.streams);
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
