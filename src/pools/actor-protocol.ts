import type { PackedPart, PackedStream } from '../blocks/packed-blocks.js';
import type { SkippedInput } from '../tasks/task-outcome.js';
import type { Transform } from '../tasks/transform.js';
import type { SerializedError, TaskReply } from './task-protocol.js';

/** What an actor worker starts with (its workerData): who it is, what to construct, what to run. */
export interface ActorInit {
  readonly operator: string;
  readonly actorIndex: number;
  readonly numCpus: number;
  readonly gpuIds: readonly number[];
  /** The class, by the module that exports it and its export name. */
  readonly moduleUrl: string;
  readonly exportName: string;
  /** Passed to the constructor (structured-cloned once, at start). */
  readonly constructorArgs: readonly unknown[];
  /** The operator's fused chain; its step with `fn` naming the class calls the instance's `call`. */
  readonly transforms: readonly Transform[];
  /** Most heap of the actor's thread (V8's old generation, MiB). */
  readonly heapMb: number;
  /** Where the actor notes which call (its id + 1) its instance began, and when (start-mark.ts): the stuck-task watch reads it. */
  readonly startMark: SharedArrayBuffer;
}

/** One call of a message: its id, its batch's task index, and where its block is in the message's streams. */
export interface ActorCallHead {
  readonly id: number;
  readonly taskIndex: number;
  readonly part: PackedPart;
}

/**
 * Main thread → actor. A message carries the calls sent to the actor in one turn of the main
 * thread's event loop, their blocks packed into as few IPC streams as their schemas allow
 * (moved, in the transfer list); the actor answers them all in one 'results' message.
 */
export type ActorRequest =
  | {
      readonly type: 'calls';
      readonly calls: readonly ActorCallHead[];
      readonly streams: PackedStream[];
      /** Whether the results may come in shared memory (shared-replies.ts). */
      readonly sharedReplies: boolean;
    }
  | { readonly type: 'close' }
  /** To a thread whose actor closed: host this actor now (actor-threads.ts). */
  | { readonly type: 'start'; readonly init: ActorInit };

/** A call's answer: its result block's place in the 'results' message's streams, or its error. */
export type ActorReply = { readonly id: number } & (
  | {
      readonly ok: true;
      readonly part: PackedPart;
      /** Where the result's columns are the call's own input columns (reply-blocks.ts). */
      readonly sentColumns: readonly number[] | null;
      readonly skipped: SkippedInput[];
      readonly udfMs: number;
      readonly blockedAtJob: boolean;
    }
  | Extract<TaskReply, { ok: false }>
);

/** Actor → main thread. */
export type ActorMessage =
  | { readonly type: 'ready' }
  /** The module could not be loaded or the constructor threw: the actor cannot serve at all. */
  | { readonly type: 'start-failed'; readonly error: SerializedError }
  /** `spent`: the streams of the calls' message, read and given back for the next calls' blocks (spare-streams.ts). */
  | { readonly type: 'results'; readonly replies: readonly ActorReply[]; readonly streams: PackedStream[]; readonly spent: ArrayBuffer[] }
  /** close() ran; `reusable`: the thread may host another actor (no import of it stopped at a job). */
  | { readonly type: 'closed'; readonly error: SerializedError | null; readonly reusable: boolean };
