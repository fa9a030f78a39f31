import { childrenOf, type ActorCompute } from './logical.js';
import { physicalInputs, type PhysicalOp } from './physical.js';
import type { Plan } from './planner.js';

/** The plan as text: the logical tree as written, after optimization, and the physical operators. */
export function explainPlan(plan: Plan): string {
  return [
    '-------- Logical Plan --------',
    drawTree(plan.logical, (n) => n.name, childrenOf),
    '-------- Logical Plan (Optimized) --------',
    drawTree(plan.optimized, (n) => n.name, childrenOf),
    '-------- Physical Plan --------',
    drawTree(plan.physical, describePhysical, physicalInputs),
  ].join('\n');
}

function describePhysical(op: PhysicalOp): string {
  if (op.kind !== 'Map') return op.name;
  const where =
    op.compute.kind === 'actors'
      ? describeActors(op.compute)
      : op.compute.kind === 'tasks'
        ? `task pool, ${op.compute.numCpus} CPU per task`
        : op.compute.kind === 'main'
          ? `main thread, concurrency ${op.compute.concurrency === Infinity ? 'as CPU slots allow' : op.compute.concurrency}`
          : 'main thread';
  return `${op.name} [${where}]`;
}

function describeActors(compute: ActorCompute): string {
  const size = compute.min === compute.max ? `${compute.min}` : `${compute.min}-${compute.max}`;
  const gpus = compute.numGpus > 0 ? `, ${compute.numGpus} GPU` : '';
  return `actor pool, ${size} actor${compute.max === 1 ? '' : 's'}, ${compute.numCpus} CPU${gpus} per actor`;
}

/** Root first, each input indented under it, as Ray Data prints plans. */
function drawTree<N>(root: N, label: (n: N) => string, children: (n: N) => readonly N[]): string {
  const lines: string[] = [];
  const visit = (node: N, depth: number) => {
    lines.push(depth === 0 ? label(node) : `${'   '.repeat(depth - 1)}+- ${label(node)}`);
    children(node).forEach((child) => visit(child, depth + 1));
  };
  visit(root, 0);
  return lines.join('\n');
}
