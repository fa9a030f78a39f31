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
}

/** Main thread → actor. A call's block moves (its buffer is in the transfer list). */
export type ActorRequest =
  { readonly type: 'call'; readonly id: number; readonly ipc: ArrayBuffer; readonly taskIndex: number } | { readonly type: 'close' };

/** Actor → main thread. */
export type ActorMessage =
  | { readonly type: 'ready' }
  /** The module could not be loaded or the constructor threw: the actor cannot serve at all. */
  | { readonly type: 'start-failed'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly reply: TaskReply }
  | { readonly type: 'closed'; readonly error: SerializedError | null };
