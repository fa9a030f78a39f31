import type { Block } from '../blocks/block.js';
import { batchLocation } from '../blocks/batch-location.js';
import { ActorError, CancelledError, TaskTimeoutError } from '../errors.js';
import { raceTimeout } from '../tasks/race-timeout.js';
import type { ActorStopReason } from '../observe/events.js';
import type { WatchedTask } from '../observe/task-watch.js';
import type { ActorCompute } from '../plan/logical.js';
import type { Transform } from '../tasks/transform.js';
import { Actor, ActorExitedError } from './actor.js';
import type { ActorResources, Placement } from './actor-resources.js';
import { deserializeError } from './task-protocol.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import { onAbort } from '../tasks/on-abort.js';

/** One operator's actor pool, as planned (the 'actors' Compute), and the class step its actors run. */
export interface ActorPoolSpec extends Omit<ActorCompute, 'kind'> {
  readonly operator: string;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly transforms: readonly Transform[];
  /** Most milliseconds a call may take before its actor is ended (the operator's timeoutMs). */
  readonly timeoutMs?: number;
  /** Most heap of each actor's thread, in MiB. */
  readonly heapMb: number;
  /** How long a thread whose actor closed cleanly waits for the next actor (actor-threads.ts); 0: it ends. */
  readonly threadKeepMs: number;
  /** The job's bound on shared replies waiting for collection (shared-replies.ts). */
  readonly sharedReplyBytes: number;
}

/** What the pool reports (as job events). */
export interface ActorPoolListener {
  started(actorIndex: number, gpuIds: readonly number[]): void;
  restarted(actorIndex: number, restarts: number, message: string): void;
  stopped(actorIndex: number, reason: ActorStopReason, tasks: number): void;
}

/** A place in the pool: the resources it holds and the actor using them (null after a retirement, until needed again). */
interface Slot {
  readonly index: number;
  readonly placement: Placement;
  actor: Actor | null;
  restarts: number;
  idleTimer: NodeJS.Timeout | null;
}

/** Batches in flight per actor while the pool may still grow or its actors start: waiting batches, not full actors, make it grow. */
const IN_FLIGHT_WHILE_GROWING = 2;
/** Past 2 batches, an actor takes more only while its batches in flight hold less than this. */
const MAX_IN_FLIGHT_BYTES_PER_ACTOR = 64 * 1024 * 1024;

/**
 * Long-lived actors for one operator. A batch goes to the ready actor with the fewest
 * batches in flight, up to `maxTasksInFlightPerActor` each (and 64 MiB past two), so that every
 * actor has its next batches waiting while it computes; the batches sent to an actor in one
 * turn travel in one message. While the pool is below its maximum and resources were free at
 * its last try, or some of its actors are starting, each actor takes 2 (the first actor up
 * would take every batch otherwise): when they are all full, it grows by one actor at a time
 * within the resources free; an actor above the minimum that stays idle is stopped. A crashed
 * actor is restarted in its place up to `maxRestarts` times and its batches run again on
 * whichever actor is free.
 */
export class ActorPool {
  private readonly slots = new Map<number, Slot>();
  private readonly closing = new Set<Promise<void>>();
  /** Actors whose 'started' was reported. */
  private readonly announced = new Set<Actor>();
  private waiters: Array<() => void> = [];
  private failure: Error | null = null;
  private stopped = false;
  private closeError: ActorError | null = null;
  /** Batches waiting for room at an actor: the demand that makes the pool grow. */
  private queued = 0;
  /** The last try to grow found no resources free: the actors there are take their full share. */
  private growthRefused = false;

  constructor(
    private readonly spec: ActorPoolSpec,
    private readonly resources: ActorResources,
    private readonly listener: ActorPoolListener,
  ) {}

  /** Live actors (starting, ready or between two lives). */
  get size(): number {
    return this.slots.size;
  }

  /** Actors with a call in flight. */
  get busy(): number {
    let busy = 0;
    for (const slot of this.slots.values()) if ((slot.actor?.inFlight ?? 0) > 0) busy++;
    return busy;
  }

  /** Takes the resources of the pool's minimum (waiting for CPUs that tasks hold) and starts its actors. */
  async start(signal: AbortSignal): Promise<void> {
    for (let index = 0; index < this.spec.min; index++) {
      const placement = await this.resources.acquireActor(this.spec.numCpus, this.spec.numGpus, signal);
      this.addSlot(index, placement);
    }
  }

  /** Runs a batch on the least loaded actor; `watched` learns which actor runs it, and when it begins there. */
  async submit(block: Block, taskIndex: number, signal: AbortSignal, watched?: Pick<WatchedTask, 'runsAt'>): Promise<TaskOutcome> {
    for (;;) {
      if (signal.aborted || this.stopped) throw new CancelledError();
      if (this.failure) throw this.failure;
      const slot = this.leastLoaded();
      if (slot === null) {
        this.queued++;
        try {
          // Refused now: the actors there are take more, which may leave room at one at once.
          if (this.grow()) continue;
          await this.changed(signal);
        } finally {
          this.queued--;
        }
        continue;
      }
      const actor = slot.actor!;
      this.stopIdleTimer(slot);
      try {
        return await this.callWithin(slot, actor, block, taskIndex, watched);
      } catch (error) {
        // Its actor died with it: the batch runs again elsewhere (the crash handler restarts the actor).
        if (error instanceof ActorExitedError) continue;
        throw error;
      } finally {
        this.afterCall(slot, actor);
      }
    }
  }

  /**
   * A call, given up on past the pool's `timeoutMs`: its actor is ended and a fresh one starts
   * in its slot (not counted as a restart: the operator's retries count the timeout), and the
   * batches it held run again elsewhere.
   */
  private async callWithin(
    slot: Slot,
    actor: Actor,
    block: Block,
    taskIndex: number,
    watched: Pick<WatchedTask, 'runsAt'> | undefined,
  ): Promise<TaskOutcome> {
    // A call waits at the actor behind the ones sent before it: its limit counts from theirs.
    const limit = this.spec.timeoutMs === undefined ? undefined : this.spec.timeoutMs * (actor.inFlight + 1);
    const call = actor.call(block, taskIndex, watched);
    if (limit === undefined) return call;
    const result = await raceTimeout(call, limit);
    if (result !== 'timeout') return result;
    // It rejects once the actor is ended; nobody waits for it any more.
    call.catch(() => {});
    // Waiting behind a call that hung, whose timeout ended the actor already: not this batch's fault.
    if (slot.actor !== actor || this.stopped) throw new ActorExitedError('its actor was ended for another call that ran past timeoutMs');
    this.retire(slot, 'timeout', false);
    this.spawn(slot);
    throw new TaskTimeoutError(this.spec.operator, batchLocation(block, taskIndex), this.spec.timeoutMs!);
  }

  /**
   * Stops every actor and hands their resources back: after the job ran to its end each
   * actor's `close()` runs (an error it throws is raised here), else the threads are ended.
   */
  async shutdown(graceful: boolean): Promise<void> {
    this.stopped = true;
    this.wake();
    for (const slot of this.slots.values()) this.retire(slot, 'end', graceful && this.failure === null);
    await Promise.all(this.closing);
    if (graceful && this.failure) throw this.failure;
    if (graceful && this.closeError) throw this.closeError;
  }

  private addSlot(index: number, placement: Placement): void {
    const slot: Slot = { index, placement, actor: null, restarts: 0, idleTimer: null };
    this.slots.set(index, slot);
    this.spawn(slot);
  }

  private spawn(slot: Slot): void {
    const { spec } = this;
    const actor = new Actor(
      {
        operator: spec.operator,
        actorIndex: slot.index,
        numCpus: spec.numCpus,
        gpuIds: slot.placement.gpuIds,
        moduleUrl: spec.moduleUrl,
        exportName: spec.exportName,
        constructorArgs: spec.constructorArgs,
        transforms: spec.transforms,
        heapMb: spec.heapMb,
      },
      (message) => this.crashed(slot, actor, message),
      // Half the batches an actor may hold: the next message waits there while one computes.
      Math.max(1, Math.floor(spec.maxTasksInFlightPerActor / 2)),
      spec.sharedReplyBytes,
    );
    slot.actor = actor;
    actor.ready.then(
      () => {
        if (slot.actor !== actor || this.stopped) return;
        this.announced.add(actor);
        this.listener.started(slot.index, slot.placement.gpuIds);
        this.wake();
      },
      (error: unknown) => {
        if (slot.actor !== actor || this.stopped) return;
        // A class that cannot be constructed will not construct on a retry either: no restarts.
        this.fail(
          new ActorError(
            spec.operator,
            slot.index,
            `could not start (constructing ${spec.exportName})`,
            error,
            'fix the constructor or its constructorArgs',
          ),
        );
      },
    );
  }

  private leastLoaded(): Slot | null {
    // While the pool may grow, or some of its actors are still starting, batches wait rather than pile up at the first actors up.
    const settled =
      (this.slots.size >= this.spec.max || this.growthRefused) &&
      [...this.slots.values()].every((s) => s.actor === null || s.actor.isReady);
    const limit = settled ? this.spec.maxTasksInFlightPerActor : Math.min(IN_FLIGHT_WHILE_GROWING, this.spec.maxTasksInFlightPerActor);
    let best: Slot | null = null;
    for (const slot of this.slots.values()) {
      const actor = slot.actor;
      if (
        !actor?.isReady ||
        actor.inFlight >= limit ||
        (actor.inFlight >= IN_FLIGHT_WHILE_GROWING && actor.inFlightBytes >= MAX_IN_FLIGHT_BYTES_PER_ACTOR) ||
        actor.tasksStarted >= (this.spec.maxTasksPerWorker ?? Infinity)
      )
        continue;
      if (best === null || actor.inFlight < best.actor!.inFlight) best = slot;
    }
    return best;
  }

  /**
   * Every actor is full: start one more, in a retired actor's place first, else in resources
   * free now. True when this try found none free where the last one had: the actors there are
   * then take their full share (see leastLoaded), so the caller looks again at once.
   */
  private grow(): boolean {
    const slots = [...this.slots.values()];
    const vacant = slots.find((s) => s.actor === null);
    if (vacant) {
      this.spawn(vacant);
      return false;
    }
    // Actors starting (a few hundred ms each) will take batches too: start more only for batches beyond theirs.
    const starting = slots.filter((s) => !s.actor!.isReady).length;
    if (starting * Math.min(IN_FLIGHT_WHILE_GROWING, this.spec.maxTasksInFlightPerActor) >= this.queued || slots.length >= this.spec.max)
      return false;
    const placement = this.resources.tryAcquireActor(this.spec.numCpus, this.spec.numGpus);
    if (placement === null) {
      const refusedNow = !this.growthRefused;
      this.growthRefused = true;
      return refusedNow;
    }
    let index = 0;
    while (this.slots.has(index)) index++;
    this.addSlot(index, placement);
    return false;
  }

  private afterCall(slot: Slot, actor: Actor): void {
    if (slot.actor === actor && !this.stopped && actor.inFlight === 0) {
      if (actor.tasksStarted >= (this.spec.maxTasksPerWorker ?? Infinity)) this.retire(slot, 'maxTasksPerWorker', true);
      else if (this.slots.size > this.spec.min) this.startIdleTimer(slot, actor);
    }
    this.wake();
  }

  private startIdleTimer(slot: Slot, actor: Actor): void {
    this.stopIdleTimer(slot);
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null;
      if (slot.actor === actor && actor.inFlight === 0 && this.slots.size > this.spec.min && !this.stopped) this.retire(slot, 'idle', true);
    }, this.spec.idleTimeoutMs);
    // A pool waiting to shrink must not keep a finished script alive.
    slot.idleTimer.unref();
  }

  private stopIdleTimer(slot: Slot): void {
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
  }

  /**
   * Stops a slot's actor (closing it, or ending its thread). A slot retired after
   * maxTasksPerWorker keeps its resources for the actor that replaces it; otherwise the
   * resources go back to the job once the actor has stopped.
   */
  private retire(slot: Slot, reason: ActorStopReason, graceful: boolean): void {
    this.stopIdleTimer(slot);
    const actor = slot.actor;
    slot.actor = null;
    const keepsPlace = reason === 'maxTasksPerWorker' || reason === 'timeout';
    if (!keepsPlace) {
      this.slots.delete(slot.index);
      this.growthRefused = false;
    }
    // Only an actor whose start was reported gets a stop: events come in pairs.
    if (actor !== null && this.announced.delete(actor)) this.listener.stopped(slot.index, reason, actor.tasksStarted);
    const ending = (async () => {
      if (actor !== null) {
        // A thread retired for maxTasksPerWorker is replaced by a new one (that is what the limit is for); others may serve again.
        const error = graceful
          ? await actor.close(reason === 'maxTasksPerWorker' ? 0 : this.spec.threadKeepMs)
          : await actor.terminate().then(() => null);
        if (error !== null) {
          this.closeError ??= new ActorError(
            this.spec.operator,
            slot.index,
            'close() threw',
            deserializeError(error),
            'fix close(), or catch errors in it',
          );
        }
      }
      // A kept place is released when the pool shuts down, by the retirement that ends it.
      if (!keepsPlace) this.resources.releaseActor(slot.placement);
    })();
    this.closing.add(ending);
    void ending.finally(() => this.closing.delete(ending));
  }

  private crashed(slot: Slot, actor: Actor, message: string): void {
    this.announced.delete(actor);
    if (slot.actor !== actor || this.stopped) return;
    this.stopIdleTimer(slot);
    if (slot.restarts >= this.spec.maxRestarts) {
      this.fail(
        new ActorError(
          this.spec.operator,
          slot.index,
          `died after ${slot.restarts} restart${slot.restarts === 1 ? '' : 's'} (maxRestarts ${this.spec.maxRestarts})`,
          new Error(message),
          "raise 'maxRestarts', or look for process.exit or unbounded memory in the class",
        ),
      );
      return;
    }
    slot.restarts++;
    this.listener.restarted(slot.index, slot.restarts, message);
    this.spawn(slot);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const forget = onAbort(signal, () => resolve());
      this.waiters.push(() => {
        forget();
        resolve();
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
