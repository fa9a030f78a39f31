/**
 * What an actor knows about itself: set by the actor worker before it constructs the user's
 * class, read by that class (`getActorContext()` in its constructor or `call`), for instance
 * to open its model on the GPU it was given.
 */
export interface ActorContext {
  /** The operator the actor serves, as in explain and stats. */
  readonly operator: string;
  /** 0-based index of the actor within its pool (a restarted actor keeps its index). */
  readonly actorIndex: number;
  /** CPU slots the actor holds. */
  readonly numCpus: number;
  /** GPU ids the actor was placed on (empty without `numGpus`); a fractional GPU is one id shared. */
  readonly gpuIds: readonly number[];
}

const CONTEXT_KEY = Symbol.for('sluice.actorContext');

type Holder = Record<symbol, ActorContext | undefined>;

/** The context of the actor this code runs in, or null outside an actor. */
export function getActorContext(): ActorContext | null {
  return (globalThis as unknown as Holder)[CONTEXT_KEY] ?? null;
}

/** Set by the actor worker before it constructs the user's class; null once the actor closed (its thread may host another). */
export function setActorContext(context: ActorContext | null): void {
  (globalThis as unknown as Holder)[CONTEXT_KEY] =
    context === null ? undefined : Object.freeze({ ...context, gpuIds: Object.freeze([...context.gpuIds]) });
}
