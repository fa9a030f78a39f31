import type { Compute, RetryPolicy } from '../logical.js';
import type { PhysicalOf, PhysicalOp } from '../physical.js';

/**
 * Fuses adjacent map-like operators into one when they run the same way: both on the main
 * thread with the same concurrency, or both on the task pool with the same CPUs per task and
 * retry policy. Column operations ('any') fuse with either neighbour; a streaming read fuses with nothing. A fused operator runs
 * its whole chain in one task, so blocks do not cross threads between the steps.
 */
export function fuseOperators(op: PhysicalOp): PhysicalOp {
  switch (op.kind) {
    case 'Source':
      return op;
    case 'Union':
      return Object.freeze({ ...op, inputs: op.inputs.map(fuseOperators) });
    case 'Limit':
    case 'AllToAll':
      return Object.freeze({ ...op, input: fuseOperators(op.input) });
    case 'Map': {
      const input = fuseOperators(op.input);
      // A write (a 'blocks' step after a map; a read's input is its source) stays an operator of
      // its own after a step with a function (a UDF, a read): such a step sets its tasks' sizes,
      // and files must follow the write's targets instead (rows and bytes, known only after it).
      const write = op.transforms.every((t) => t.op === 'blocks');
      // A write that holds its files to one schema must see its input as written (after any
      // renames and casts), so nothing fuses into it: column operations before it run apart.
      const holdsSchema = op.transforms.some((t) => t.op === 'blocks' && t.oneSchema !== undefined);
      // A write with a run id fuses into the task-pool chain of its read: a file per read task (a
      // sink's partition step, on the main thread, stays where it is).
      const partitioned = op.transforms.some((t) => t.op === 'blocks' && t.partitioned !== undefined && t.fn.kind === 'module');
      if (partitioned && op.compute.kind === 'tasks' && input.kind === 'Map' && input.compute.kind === 'tasks' && readsFiles(input)) {
        return Object.freeze({
          kind: 'Map',
          name: `${input.name}->${op.name}`,
          input: input.input,
          transforms: [...input.transforms, ...op.transforms],
          compute: input.compute,
          retry: input.retry,
        });
      }
      // A streaming read's blocks come as its process gives them: it runs alone (see BlocksTransform.streams).
      const streams = [...op.transforms, ...(input.kind === 'Map' ? input.transforms : [])].some((t) => t.op === 'blocks' && t.streams);
      if (input.kind === 'Map' && !holdsSchema && !streams && !(write && input.transforms.some((t) => 'fn' in t))) {
        // Else it takes the task-pool settings of the operator before it: one task does both.
        const adopts = write && input.compute.kind === 'tasks';
        const compute = adopts ? input.compute : fusedCompute(input.compute, op.compute);
        const retry = adopts ? input.retry : fusedRetry(input, op);
        if (compute && retry) {
          return Object.freeze({
            kind: 'Map',
            name: `${input.name}->${op.name}`,
            input: input.input,
            transforms: [...input.transforms, ...op.transforms],
            compute,
            retry,
          });
        }
      }
      return input === op.input ? op : Object.freeze({ ...op, input });
    }
  }
}

/** Whether a map's chain starts with a read of files (its tasks are the read's partitions). */
function readsFiles(op: PhysicalOf<'Map'>): boolean {
  const first = op.transforms[0];
  return first.op === 'blocks' && first.inputs === 'files';
}

function fusedCompute(a: Compute, b: Compute): Compute | null {
  if (a.kind === 'any') return b;
  if (b.kind === 'any') return a;
  if (a.kind === 'main' && b.kind === 'main' && a.concurrency === b.concurrency) return a;
  if (a.kind === 'tasks' && b.kind === 'tasks' && a.numCpus === b.numCpus && a.concurrency === b.concurrency) return a;
  return null;
}

function fusedRetry(a: PhysicalOf<'Map'>, b: PhysicalOf<'Map'>): RetryPolicy | null {
  // A column operation carries no retry policy of its own worth keeping.
  if (a.compute.kind === 'any') return b.retry;
  if (b.compute.kind === 'any') return a.retry;
  const same =
    a.retry.maxRetries === b.retry.maxRetries &&
    a.retry.retryExceptions === b.retry.retryExceptions &&
    a.retry.timeoutMs === b.retry.timeoutMs;
  return same ? a.retry : null;
}
