/** What an actor holds for its life: CPU slots, and the GPUs (or the share of one) it was placed on. */
export interface Placement {
  readonly cpus: number;
  readonly numGpus: number;
  readonly gpuIds: readonly number[];
}

/**
 * What an actor pool asks of the job's resources (exec's ResourceManager implements it): a
 * place for each actor, waited for or taken only when free, and given back when the actor ends.
 */
export interface ActorResources {
  acquireActor(cpus: number, numGpus: number, signal: AbortSignal): Promise<Placement>;
  tryAcquireActor(cpus: number, numGpus: number): Placement | null;
  releaseActor(placement: Placement): void;
}
