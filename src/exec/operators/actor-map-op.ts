import type { Block } from '../../blocks/block.js';
import type { WatchedTask } from '../../observe/task-watch.js';
import type { ActorCompute } from '../../plan/logical.js';
import type { PhysicalOf } from '../../plan/physical.js';
import { ActorPool, type ActorPoolListener } from '../../pools/actor-pool.js';
import { sharedReplyLimit } from '../../pools/shared-replies.js';
import { runMapTasks } from './map-op.js';
import type { OperatorContext } from './operator.js';
import { workerHeapLimitMb } from '../settings.js';
import { untilAborted } from '../until-aborted.js';

type MapOp = PhysicalOf<'Map'>;

/**
 * A map-like operator whose class UDF runs on an actor pool: the same loop as a task-pool
 * map (bundles, window, middleware, retries of UDF errors, ordering), with each bundle sent
 * to an actor. The window holds enough bundles to keep the largest pool full. Actors close
 * (their `close()` runs) when the operator ends, also when its consumer stopped early; after
 * a failure their threads are ended without it.
 */
export async function runActorMapOp(op: MapOp, compute: ActorCompute, ctx: OperatorContext): Promise<void> {
  const step = op.transforms.find((t) => 'fn' in t && t.fn.kind === 'module');
  if (step === undefined || !('fn' in step) || step.fn.kind !== 'module')
    throw new Error(`internal: ${op.name} runs on actors but has no class step`);
  const pool = new ActorPool(
    {
      ...compute,
      operator: op.name,
      moduleUrl: step.fn.moduleUrl,
      exportName: step.fn.exportName,
      transforms: op.transforms,
      timeoutMs: op.retry.timeoutMs,
      heapMb: compute.heapMb ?? workerHeapLimitMb(ctx.job.settings),
      threadKeepMs: ctx.job.settings.actorThreadKeepMs,
      sharedReplyBytes: sharedReplyLimit(ctx.job.settings.memoryBudget),
    },
    ctx.job.resources,
    poolEvents(op, ctx),
  );
  ctx.job.trackActors(op, () => ({ live: pool.size, busy: pool.busy }));
  try {
    await pool.start(ctx.signal);
    const maxInFlight = compute.max * compute.maxTasksInFlightPerActor;
    const submit = (bundle: Block, index: number, watched: WatchedTask) =>
      untilAborted(pool.submit(bundle, index, ctx.signal, watched), ctx.signal);
    await runMapTasks(op, ctx, maxInFlight, submit, { oneBatchPerTask: true });
  } finally {
    await pool.shutdown(ctx.job.error === null);
  }
}

function poolEvents(op: MapOp, ctx: OperatorContext): ActorPoolListener {
  const { events } = ctx.job;
  const operator = op.name;
  return {
    started: (actorIndex, gpuIds) => events.emit({ type: 'actor-start', operator, actorIndex, gpuIds }),
    restarted: (actorIndex, restarts, message) => {
      ctx.stats.retries++;
      events.emit({ type: 'actor-restart', operator, actorIndex, restarts, message });
    },
    stopped: (actorIndex, reason, tasks) => events.emit({ type: 'actor-stop', operator, actorIndex, reason, tasks }),
  };
}
