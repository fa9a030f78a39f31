import { availableParallelism } from 'node:os';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { ActorInit, ActorRequest } from './actor-protocol.js';
import { sizeWorkerHeaps } from './worker-heap.js';

/**
 * Threads between actors. A thread whose actor closed cleanly (at the end of its job, or idle in
 * an autoscaling pool) waits here, unreferenced so that it never holds the process open, and
 * the next actor with the same heap limit starts in it instead of in a new thread: the thread
 * has its modules imported and its hot code (the actor's loop, Arrow's, the UDF's) optimised by
 * V8 already, which a new isolate spends its first seconds of work on. Ray reuses idle worker
 * processes for new actors the same way. The user's instance is gone (its close() ran); what a
 * module keeps at its top level stays, as in Ray's reused workers. At most one thread per core
 * waits, each for the job's `actorThreadKeepMs`.
 */
interface WaitingThread {
  readonly worker: Worker;
  readonly heapMb: number;
  readonly timer: NodeJS.Timeout;
  readonly onExit: () => void;
}

// A waiting thread that fails ends (its 'exit' follows); the failure has no one to go to.
const ignoreError = () => {};

const waiting: WaitingThread[] = [];

/** A thread for an actor: a waiting one of the same heap limit, told to start `init`, else a new one. */
export function actorThread(init: ActorInit): Worker {
  const index = waiting.findIndex((thread) => thread.heapMb === init.heapMb);
  if (index < 0) {
    sizeWorkerHeaps();
    // SHARE_ENV: an actor sees process.env as it is, like the task pool's workers.
    return new Worker(new URL('./actor-worker.js', import.meta.url), {
      workerData: init,
      env: SHARE_ENV,
      resourceLimits: { maxOldGenerationSizeMb: init.heapMb },
    });
  }
  const [thread] = waiting.splice(index, 1);
  clearTimeout(thread.timer);
  thread.worker.off('exit', thread.onExit).off('error', ignoreError);
  // Held again, as a new thread is, until its actor is up (the actor unrefs it when idle).
  thread.worker.ref();
  const start: ActorRequest = { type: 'start', init };
  thread.worker.postMessage(start);
  return thread.worker;
}

/** Keeps a thread whose actor closed cleanly for the next actor (its owner has removed its listeners). */
export function keepActorThread(worker: Worker, heapMb: number, keepMs: number): void {
  if (waiting.length >= availableParallelism()) {
    void worker.terminate();
    return;
  }
  worker.unref();
  const onExit = () => forget(worker);
  const timer = setTimeout(() => {
    forget(worker);
    void worker.terminate();
  }, keepMs);
  timer.unref();
  worker.once('exit', onExit).on('error', ignoreError);
  waiting.push({ worker, heapMb, timer, onExit });
}

function forget(worker: Worker): void {
  const index = waiting.findIndex((thread) => thread.worker === worker);
  if (index < 0) return;
  clearTimeout(waiting[index].timer);
  waiting.splice(index, 1);
}
