import type { Worker } from 'node:worker_threads';
import { blockBytes, type Block } from '../blocks/block.js';
import { movedStreams, packBlocks, type PackedBlocks } from '../blocks/packed-blocks.js';
import { receivedReplyStreams, sharedRepliesAllowed } from './shared-replies.js';
import { unpackReplies } from '../blocks/reply-blocks.js';
import { SpareStreams } from '../blocks/spare-streams.js';
import type { ActorInit, ActorMessage, ActorRequest } from './actor-protocol.js';
import { deserializeError, replyToError, type SerializedError } from './task-protocol.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import { actorThread, keepActorThread } from './actor-threads.js';
import { newStartMark, readStart } from './start-mark.js';
import type { TaskPlace, WatchedTask } from '../observe/task-watch.js';

/** The actor's thread ended while it had calls in flight: they can run again on another actor. */
export class ActorExitedError extends Error {
  override name = 'ActorExitedError';
}

/** How an actor's close() ended: its error, and whether its thread may host another actor. */
type CloseOutcome = Pick<Extract<ActorMessage, { type: 'closed' }>, 'error' | 'reusable'>;

interface PendingCall {
  /** The block sent: a reply may name its columns instead of sending them back. */
  readonly block: Block;
  readonly resolve: (outcome: TaskOutcome) => void;
  readonly reject: (error: unknown) => void;
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
  /** Bytes of their blocks. */
  inFlightBytes = 0;
  /** Calls ever sent (for maxTasksPerWorker). */
  tasksStarted = 0;
  isReady = false;
  readonly init: ActorInit;
  /** Resolves when the instance is constructed; rejects when it cannot be. */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  /** Sent and not yet answered. */
  private readonly calls = new Map<number, PendingCall>();
  /** Made in this turn of the event loop, sent together at its end. */
  private outbox: { readonly id: number; readonly taskIndex: number; readonly block: Block }[] = [];
  private nextId = 0;
  /** Streams this actor read and gave back, for the next calls' blocks. */
  private readonly spare = new SpareStreams();
  private stopping = false;
  private exited = false;
  private lastError: string | null = null;
  private closedReply: ((outcome: CloseOutcome) => void) | null = null;
  private readonly listeners: {
    readonly message: (m: ActorMessage) => void;
    readonly error: (e: Error) => void;
    readonly exit: (code: number) => void;
  };

  /**
   * `onCrash` is called when a ready actor's thread dies unasked, before its calls are
   * rejected; `callsPerMessage` is the most calls one message carries (the actor answers a
   * message's calls together, so a message should not hold every call it has in flight);
   * `sharedReplyBytes` is the job's bound on shared replies waiting for collection (shared-replies.ts).
   */
  constructor(
    init: Omit<ActorInit, 'startMark'>,
    private readonly onCrash: (message: string) => void,
    private readonly callsPerMessage = 1,
    private readonly sharedReplyBytes = 0,
  ) {
    this.init = { ...init, startMark: newStartMark() };
    this.worker = actorThread(this.init);
    let settleStart: { resolve: () => void; reject: (error: unknown) => void } = { resolve: () => {}, reject: () => {} };
    this.ready = new Promise<void>((resolve, reject) => (settleStart = { resolve, reject }));
    // A failed start is reported through the pool; nobody else need await `ready`.
    this.ready.catch(() => {});
    this.listeners = {
      message: (message) => {
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
          case 'results':
            this.answer(message);
            break;
          case 'closed':
            this.closedReply?.(message);
            break;
        }
      },
      error: (error) => (this.lastError = error.message),
      exit: (code) => {
        this.exited = true;
        const message = this.lastError ?? `its thread exited with code ${code}`;
        settleStart.reject(new Error(message));
        this.closedReply?.({ error: null, reusable: false });
        if (this.isReady && !this.stopping) this.onCrash(message);
        for (const call of this.calls.values()) call.reject(new ActorExitedError(message));
        this.calls.clear();
        this.outbox = [];
      },
    };
    this.worker.on('message', this.listeners.message).on('error', this.listeners.error).on('exit', this.listeners.exit);
  }

  /**
   * Runs the operator's chain on `block` in this actor. The calls made in one turn of the event
   * loop go in messages of up to `callsPerMessage`, their blocks moved to the actor's thread in
   * as few IPC streams as their schemas allow, and come back in one message each. `watched` learns
   * when the instance begins this call (calls wait at the actor behind the ones sent before them).
   */
  async call(block: Block, taskIndex: number, watched?: Pick<WatchedTask, 'runsAt'>): Promise<TaskOutcome> {
    if (this.exited || this.stopping) throw new ActorExitedError('the actor has stopped');
    const id = this.nextId++;
    watched?.runsAt(() => this.placeOf(id));
    const bytes = blockBytes(block);
    this.inFlight++;
    this.inFlightBytes += bytes;
    this.tasksStarted++;
    this.updateRef();
    try {
      return await new Promise<TaskOutcome>((resolve, reject) => {
        this.calls.set(id, { block, resolve, reject });
        // A full message goes at once; a partial one at the end of this turn, with the calls made in it.
        if (this.outbox.length === 0 && this.callsPerMessage > 1) setImmediate(() => this.send());
        this.outbox.push({ id, taskIndex, block });
        if (this.outbox.length >= this.callsPerMessage) this.send();
      });
    } finally {
      this.inFlight--;
      this.inFlightBytes -= bytes;
      this.updateRef();
    }
  }

  /** Where call `id` runs: this actor's thread while its instance is on that call, else null (waiting, or past it). */
  private placeOf(id: number): TaskPlace | null {
    const start = readStart(this.init.startMark);
    return start?.what === id + 1
      ? { thread: `actor ${this.init.actorIndex} (thread ${this.worker.threadId})`, startedAt: start.at }
      : null;
  }

  private send(): void {
    const outbox = this.outbox;
    this.outbox = [];
    for (let i = 0; i < outbox.length && !this.exited; i += this.callsPerMessage)
      this.sendMessage(outbox.slice(i, i + this.callsPerMessage));
  }

  private sendMessage(outbox: readonly { readonly id: number; readonly taskIndex: number; readonly block: Block }[]): void {
    let packed: PackedBlocks;
    try {
      packed = packBlocks(
        outbox.map((c) => c.block),
        false,
        (bytes) => this.spare.take(bytes),
      );
    } catch (error) {
      for (const { id } of outbox) this.settle(id, (call) => call.reject(error));
      return;
    }
    const request: ActorRequest = {
      type: 'calls',
      calls: outbox.map(({ id, taskIndex }, i) => ({ id, taskIndex, part: packed.parts[i] })),
      streams: packed.streams,
      sharedReplies: sharedRepliesAllowed(this.sharedReplyBytes),
    };
    this.worker.postMessage(request, movedStreams(packed.streams));
  }

  private answer(message: Extract<ActorMessage, { type: 'results' }>): void {
    this.spare.giveBack(message.spent);
    receivedReplyStreams(message.streams);
    const ok = message.replies.flatMap((r) => (r.ok ? [r] : []));
    let blocks: Block[];
    try {
      blocks = unpackReplies(
        { streams: message.streams, parts: ok.map((r) => r.part), sentColumns: ok.map((r) => r.sentColumns) },
        ok.map((r) => this.calls.get(r.id)?.block ?? null),
      );
    } catch (error) {
      for (const { id } of message.replies) this.settle(id, (call) => call.reject(error));
      return;
    }
    let at = 0;
    for (const reply of message.replies) {
      if (reply.ok) {
        const block = blocks[at++];
        this.settle(reply.id, (call) => call.resolve({ block, skipped: reply.skipped, udfMs: reply.udfMs }));
      } else {
        this.settle(reply.id, (call) => call.reject(replyToError(reply)));
      }
    }
  }

  private settle(id: number, how: (call: PendingCall) => void): void {
    const call = this.calls.get(id);
    this.calls.delete(id);
    if (call) how(call);
  }

  /**
   * Calls the instance's `close()` after the calls already sent, then ends the thread, or leaves
   * it for the next actor for `keepThreadMs` (actor-threads.ts) when close() succeeded; resolves
   * to the error close() threw, if any.
   */
  async close(keepThreadMs = 0): Promise<SerializedError | null> {
    // An actor still constructing is closed once constructed: every instance gets its close().
    await this.ready.catch(() => {});
    if (this.exited) return null;
    // Calls made in this turn go first: close() follows every call sent.
    this.send();
    this.stopping = true;
    this.worker.ref();
    const closed = new Promise<CloseOutcome>((resolve) => (this.closedReply = resolve));
    const request: ActorRequest = { type: 'close' };
    this.worker.postMessage(request);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CloseOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            error: { name: 'Error', message: `close() did not finish within ${CLOSE_TIMEOUT_MS / 1000} s`, stack: undefined },
            reusable: false,
          }),
        CLOSE_TIMEOUT_MS,
      );
    });
    const { error, reusable } = await Promise.race([closed, timeout]).finally(() => clearTimeout(timer));
    if (keepThreadMs > 0 && reusable && error === null && !this.exited) {
      this.worker.off('message', this.listeners.message).off('error', this.listeners.error).off('exit', this.listeners.exit);
      this.exited = true;
      keepActorThread(this.worker, this.init.heapMb, keepThreadMs);
    } else {
      await this.terminate();
    }
    return error;
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
