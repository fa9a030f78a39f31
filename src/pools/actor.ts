import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { Block } from '../blocks/block.js';
import { blockFromIpc, blockToIpc } from '../blocks/ipc.js';
import type { ActorInit, ActorMessage, ActorRequest } from './actor-protocol.js';
import { deserializeError, replyToError, type SerializedError, type TaskReply } from './task-protocol.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';

/** The actor's thread ended while it had calls in flight: they can run again on another actor. */
export class ActorExitedError extends Error {
  override name = 'ActorExitedError';
}

/** A `close()` that does not finish in this time is cut short: the thread is terminated. */
const CLOSE_TIMEOUT_MS = 30_000;

/**
 * The main thread's handle on one actor (a worker thread running actor-worker). The thread
 * keeps the process alive only while it starts, computes or closes: an idle actor, or one
 * a finished script forgot, never holds the process open.
 */
export class Actor {
  /** Calls sent and not yet answered. */
  inFlight = 0;
  /** Calls ever sent (for maxTasksPerWorker). */
  tasksStarted = 0;
  isReady = false;
  /** Resolves when the instance is constructed; rejects when it cannot be. */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve: (reply: TaskReply) => void; reject: (error: unknown) => void }>();
  private nextId = 0;
  private stopping = false;
  private exited = false;
  private lastError: string | null = null;
  private closedReply: ((error: SerializedError | null) => void) | null = null;

  /** `onCrash` is called when a ready actor's thread dies unasked, before its calls are rejected. */
  constructor(
    readonly init: ActorInit,
    private readonly onCrash: (message: string) => void,
  ) {
    // SHARE_ENV: an actor sees process.env as it is, like the task pool's workers.
    this.worker = new Worker(new URL('./actor-worker.js', import.meta.url), {
      workerData: init,
      env: SHARE_ENV,
      resourceLimits: { maxOldGenerationSizeMb: init.heapMb },
    });
    let settleStart: { resolve: () => void; reject: (error: unknown) => void } = { resolve: () => {}, reject: () => {} };
    this.ready = new Promise<void>((resolve, reject) => (settleStart = { resolve, reject }));
    // A failed start is reported through the pool; nobody else need await `ready`.
    this.ready.catch(() => {});
    this.worker.on('message', (message: ActorMessage) => {
      switch (message.type) {
        case 'ready':
          this.isReady = true;
          this.updateRef();
          settleStart.resolve();
          break;
        case 'start-failed':
          settleStart.reject(deserializeError(message.error));
          void this.terminate();
          break;
        case 'result': {
          const call = this.calls.get(message.id);
          this.calls.delete(message.id);
          call?.resolve(message.reply);
          break;
        }
        case 'closed':
          this.closedReply?.(message.error);
          break;
      }
    });
    this.worker.on('error', (error) => (this.lastError = error.message));
    this.worker.on('exit', (code) => {
      this.exited = true;
      const message = this.lastError ?? `its thread exited with code ${code}`;
      settleStart.reject(new Error(message));
      this.closedReply?.(null);
      if (this.isReady && !this.stopping) this.onCrash(message);
      for (const call of this.calls.values()) call.reject(new ActorExitedError(message));
      this.calls.clear();
    });
  }

  /** Runs the operator's chain on `block` in this actor; the block's bytes move to the actor's thread. */
  async call(block: Block, taskIndex: number): Promise<TaskOutcome> {
    if (this.exited || this.stopping) throw new ActorExitedError('the actor has stopped');
    const ipc = blockToIpc(block);
    const id = this.nextId++;
    this.inFlight++;
    this.tasksStarted++;
    this.updateRef();
    try {
      const reply = await new Promise<TaskReply>((resolve, reject) => {
        this.calls.set(id, { resolve, reject });
        const request: ActorRequest = { type: 'call', id, ipc, taskIndex };
        this.worker.postMessage(request, [ipc]);
      });
      if (!reply.ok) throw replyToError(reply);
      return { block: blockFromIpc(reply.ipc), skipped: reply.skipped, udfMs: reply.udfMs };
    } finally {
      this.inFlight--;
      this.updateRef();
    }
  }

  /** Calls the instance's `close()` after the calls already sent, then ends the thread; resolves to the error close() threw, if any. */
  async close(): Promise<SerializedError | null> {
    // An actor still constructing is closed once constructed: every instance gets its close().
    await this.ready.catch(() => {});
    if (this.exited) return null;
    this.stopping = true;
    this.worker.ref();
    const closed = new Promise<SerializedError | null>((resolve) => (this.closedReply = resolve));
    const request: ActorRequest = { type: 'close' };
    this.worker.postMessage(request);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SerializedError>((resolve) => {
      timer = setTimeout(
        () => resolve({ name: 'Error', message: `close() did not finish within ${CLOSE_TIMEOUT_MS / 1000} s`, stack: undefined }),
        CLOSE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([closed, timeout]);
    } finally {
      clearTimeout(timer);
      await this.terminate();
    }
  }

  /** Ends the thread now, without close(): for a cancelled or failed job. */
  async terminate(): Promise<void> {
    this.stopping = true;
    if (!this.exited) await this.worker.terminate();
  }

  private updateRef(): void {
    if (this.stopping || !this.isReady || this.inFlight > 0) this.worker.ref();
    else this.worker.unref();
  }
}
