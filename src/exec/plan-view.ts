import type { PlanNodeView } from '../observe/dashboard/client/run-view.js';
import type { Compute } from '../plan/logical.js';
import { physicalInputs, type PhysicalOp } from '../plan/physical.js';
import { streamingStep } from './operators/stream-op.js';

/** The physical plan as the dashboard's graph draws it: each operator, what it reads from, where it runs, its fused steps. */
export function planView(ops: readonly PhysicalOp[]): PlanNodeView[] {
  const ids = new Map(ops.map((op, id) => [op, id]));
  return ops.map((op, id) => ({
    id,
    name: op.name,
    kind: op.kind,
    inputs: physicalInputs(op).map((input) => ids.get(input)!),
    compute: computeOf(op),
    steps: op.kind === 'Map' ? op.transforms.map((t) => t.name) : [op.name],
  }));
}

function computeOf(op: PhysicalOp): string {
  switch (op.kind) {
    case 'Source':
      return 'driver';
    case 'Map':
      if (op.stages !== undefined) return 'cluster workers';
      if (streamingStep(op)) return 'streamed on the driver';
      return mapCompute(op.compute);
    case 'Limit':
      return `first ${op.n} rows`;
    case 'Union':
      return `${op.inputs.length} inputs`;
    case 'AllToAll':
      return `all-to-all: ${op.spec.kind}`;
  }
}

function mapCompute(compute: Compute): string {
  switch (compute.kind) {
    case 'main':
      return `main thread, ${compute.concurrency} at a time`;
    case 'any':
      return 'main thread';
    case 'tasks':
      return `task pool, ${plural(compute.numCpus, 'CPU')} per task`;
    case 'actors': {
      const size = compute.min === compute.max ? `${compute.min}` : `${compute.min}-${compute.max}`;
      const gpus = compute.numGpus > 0 ? `, ${plural(compute.numGpus, 'GPU')}` : '';
      return `actor pool of ${size}, ${plural(compute.numCpus, 'CPU')}${gpus} each`;
    }
  }
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
