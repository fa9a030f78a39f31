import { ResourceError } from '../errors.js';
import type { ActorCompute } from '../plan/logical.js';
import type { PhysicalOp } from '../plan/physical.js';
import { GpuSlots } from './gpu-slots.js';
import type { ResourceManager } from './resource-manager.js';

/**
 * Checks, before any worker starts, that the job's actor pools fit the job's resources:
 * one actor of each pool fits at all; the minimum sizes of all pools fit together (CPUs, and
 * GPUs packed as they will be placed); and when the job also has task-pool operators, the
 * actors leave them CPU slots for their largest task (else those would wait forever). The
 * slots left to tasks also cap how far autoscaling pools grow. A pool that does not fit is a
 * ResourceError naming the operator and the numbers.
 */
export function admitActorPools(ops: readonly PhysicalOp[], resources: ResourceManager): void {
  const pools = ops.flatMap((op) => (op.kind === 'Map' && op.compute.kind === 'actors' ? [{ name: op.name, compute: op.compute }] : []));
  if (pools.length === 0) return;
  const taskCpus = ops.map((op) => (op.kind === 'Map' && op.compute.kind === 'tasks' ? op.compute.numCpus : 0));
  const reserve = Math.max(0, ...taskCpus);
  const { cpus } = resources;
  const gpuIds = pools.some((p) => p.compute.numGpus > 0) ? resources.gpuIds : [];
  for (const { name, compute } of pools) checkOneActor(name, compute, cpus, gpuIds);

  const minCpus = pools.reduce((sum, p) => sum + p.compute.min * p.compute.numCpus, 0);
  const available = cpus - reserve;
  if (minCpus > available + 1e-9) {
    const asked = pools.map((p) => `${p.name}: ${p.compute.min} x ${p.compute.numCpus}`).join(', ');
    const left = reserve > 0 ? ` and must leave ${reserve} to the job's task-pool operators` : '';
    throw new ResourceError(
      `the actor pools' minimum sizes need ${minCpus} CPUs (${asked}); the job has ${cpus} (cpus setting)${left}; ` +
        `start fewer actors (concurrency), give each less (numCpus: 0.5), or raise cpus`,
    );
  }
  checkGpuPacking(pools, gpuIds);
  resources.reservedForTasks = reserve;
}

function checkOneActor(name: string, compute: ActorCompute, cpus: number, gpuIds: readonly number[]): void {
  if (compute.numCpus > cpus) {
    throw new ResourceError(
      `${name} asks for numCpus ${compute.numCpus} per actor and the job has ${cpus} CPUs (cpus setting); lower numCpus or raise cpus`,
    );
  }
  if (compute.numGpus > 0 && gpuIds.length === 0) {
    throw new ResourceError(
      `${name} asks for numGpus ${compute.numGpus} per actor and this job has no GPU (none in CUDA_VISIBLE_DEVICES or nvidia-smi -L); ` +
        `set configure({ gpus }) if the machine has GPUs, or drop numGpus to run on CPUs`,
    );
  }
  if (compute.numGpus > gpuIds.length) {
    throw new ResourceError(
      `${name} asks for numGpus ${compute.numGpus} per actor and the job has ${gpuIds.length} GPU${gpuIds.length === 1 ? '' : 's'}; ` +
        'lower numGpus or set configure({ gpus })',
    );
  }
}

/** Places every pool's minimum on a scratch copy of the GPUs, largest shares first, as the pools will take them. */
function checkGpuPacking(pools: ReadonlyArray<{ name: string; compute: ActorCompute }>, gpuIds: readonly number[]): void {
  const slots = new GpuSlots(gpuIds);
  for (const { name, compute } of [...pools].sort((a, b) => b.compute.numGpus - a.compute.numGpus)) {
    if (compute.numGpus === 0) continue;
    for (let i = 0; i < compute.min; i++) {
      if (slots.take(compute.numGpus) !== null) continue;
      const perGpu = compute.numGpus < 1 ? `, ${Math.floor(1 / compute.numGpus + 1e-9)} per GPU` : '';
      throw new ResourceError(
        `${name} needs ${compute.min} actors of numGpus ${compute.numGpus} at its start and only ${i} fit ` +
          `on the job's ${gpuIds.length} GPU${gpuIds.length === 1 ? '' : 's'}${perGpu}${pools.length > 1 ? ' beside the other actor pools' : ''}; ` +
          `lower the pool's size (concurrency), use a range such as [1, ${compute.max}] to grow only as far as GPUs allow, or lower numGpus`,
      );
    }
  }
}
