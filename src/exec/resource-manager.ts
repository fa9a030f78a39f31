import { CancelledError } from '../errors.js';
import type { ActorResources, Placement } from '../pools/actor-resources.js';
import { GpuSlots } from './gpu-slots.js';
import { MemoryBudget } from './memory-budget.js';
import { processSlots, type ProcessSlots } from './process-slots.js';
import { waitInLine } from './wait-in-line.js';

// CPU shares such as 0.1 do not add up exactly in floating point.
const EPSILON = 1e-9;

/**
 * The job's resources: CPU slots shared by every task-pool task (held while it runs) and
 * every actor (held for its life), so operators together never over-commit the machine;
 * GPUs for actors; and the memory budget (exec/memory-budget.ts), whose share caps each queue between operators.
 */
export class ResourceManager implements ActorResources {
  private freeCpus: number;
  private readonly waiting: Array<{ cpus: number; numGpus: number; resolve: (p: Placement) => void }> = [];
  private gpuSlots: GpuSlots | null = null;
  private actorCpus = 0;
  /** CPU slots autoscaling actor pools leave to the job's task-pool operators (set by the plan-time check). */
  reservedForTasks = 0;
  readonly memory: MemoryBudget;
  private readonly processSlots: ProcessSlots;

  constructor(
    readonly cpus: number,
    readonly memoryBudget: number,
    private readonly findGpus: () => readonly number[] = () => [],
  ) {
    this.freeCpus = cpus;
    this.memory = new MemoryBudget(memoryBudget);
    this.processSlots = processSlots(cpus);
  }

  /** The GPU ids of the job: looked up on first use, so jobs without GPU actors never look. */
  get gpuIds(): readonly number[] {
    return this.gpus().ids;
  }

  private gpus(): GpuSlots {
    return (this.gpuSlots ??= new GpuSlots(this.findGpus()));
  }

  /** Bytes each of `queues` queues may hold so that together they stay within the budget. */
  queueCapacity(queues: number): number {
    return Math.max(1, Math.floor(this.memoryBudget / Math.max(1, queues)));
  }

  /** CPU slots for a task-pool task: the job's, then the process's (shared with concurrent jobs, see process-slots.ts). */
  async acquireTaskCpus(cpus: number, signal: AbortSignal): Promise<void> {
    await this.acquire(cpus, 0, signal);
    try {
      await this.processSlots.acquire(cpus, signal);
    } catch (error) {
      this.releaseCpus(cpus);
      throw error;
    }
  }

  /** CPU slots for a task-pool task if they are free now and no one waits for slots: true when taken. */
  tryAcquireTaskCpus(cpus: number): boolean {
    if (this.waiting.length > 0 || this.tryTake(cpus, 0) === null) return false;
    if (this.processSlots.tryAcquire(cpus)) return true;
    this.releaseCpus(cpus);
    return false;
  }

  /** A task or an actor of this job, or a task of a concurrent job, waits for CPU slots. */
  get cpusWanted(): boolean {
    return this.waiting.length > 0 || this.processSlots.wanted;
  }

  releaseTaskCpus(cpus: number): void {
    this.processSlots.release(cpus);
    this.releaseCpus(cpus);
  }

  private releaseCpus(cpus: number): void {
    this.freeCpus += cpus;
    this.grantWaiting();
  }

  /** Resources for an actor that must start (a pool's minimum): waits its turn with the tasks. */
  async acquireActor(cpus: number, numGpus: number, signal: AbortSignal): Promise<Placement> {
    const placement = await this.acquire(cpus, numGpus, signal);
    this.actorCpus += cpus;
    return placement;
  }

  /**
   * Resources for one more actor of an autoscaling pool, if they are free now and leave the
   * task-pool operators their reserve; null otherwise (the pool tries again later).
   */
  tryAcquireActor(cpus: number, numGpus: number): Placement | null {
    if (this.actorCpus + cpus > this.cpus - this.reservedForTasks + EPSILON) return null;
    const placement = this.tryTake(cpus, numGpus);
    if (placement) this.actorCpus += cpus;
    return placement;
  }

  releaseActor(placement: Placement): void {
    this.actorCpus -= placement.cpus;
    if (placement.numGpus > 0) this.gpus().give(placement.gpuIds, placement.numGpus);
    this.releaseCpus(placement.cpus);
  }

  private tryTake(cpus: number, numGpus: number): Placement | null {
    if (this.freeCpus + EPSILON < cpus) return null;
    const gpuIds = numGpus > 0 ? this.gpus().take(numGpus) : [];
    if (gpuIds === null) return null;
    this.freeCpus -= cpus;
    return { cpus, numGpus, gpuIds };
  }

  private async acquire(cpus: number, numGpus: number, signal: AbortSignal): Promise<Placement> {
    if (signal.aborted) throw new CancelledError();
    const now = this.waiting.length === 0 ? this.tryTake(cpus, numGpus) : null;
    if (now) return now;
    return waitInLine(this.waiting, (grant: (placement: Placement) => void) => ({ cpus, numGpus, resolve: grant }), signal);
  }

  /** First come, first served: a large request at the head is not overtaken by smaller ones. */
  private grantWaiting(): void {
    while (this.waiting.length > 0) {
      const placement = this.tryTake(this.waiting[0].cpus, this.waiting[0].numGpus);
      if (!placement) return;
      this.waiting.shift()!.resolve(placement);
    }
  }
}
