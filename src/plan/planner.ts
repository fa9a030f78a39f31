import type { Transform } from '../tasks/transform.js';
import type { LogicalNode, LogicalTransform, SourceSpec } from './logical.js';
import { optimizeLogical } from './optimizer.js';
import type { PhysicalOp, PhysicalSource } from './physical.js';
import { planFilesSource, planRead } from './plan-read.js';
import { fuseOperators } from './rules/operator-fusion.js';

export interface Plan {
  readonly logical: LogicalNode;
  readonly optimized: LogicalNode;
  readonly physical: PhysicalOp;
}

/** Logical tree → optimized logical tree → physical operators → fused physical operators. */
export function planJob(root: LogicalNode): Plan {
  const optimized = optimizeLogical(root);
  return { logical: root, optimized, physical: fuseOperators(toPhysical(optimized)) };
}

function toPhysical(node: LogicalNode): PhysicalOp {
  switch (node.kind) {
    case 'Source':
      // A new object even for a source: a dataset used twice in one plan (`ds.union(ds)`)
      // must run as two operators, each with its own output queue.
      return Object.freeze({ kind: 'Source', name: node.name, source: physicalSource(node.source) });
    case 'Map':
      return Object.freeze({
        kind: 'Map',
        name: node.name,
        input: toPhysical(node.input),
        transforms: [physicalTransform(node.transform)],
        compute: node.compute,
        retry: node.retry,
      });
    case 'Limit':
      return Object.freeze({ kind: 'Limit', name: node.name, input: toPhysical(node.input), n: node.n });
    case 'Union':
      return Object.freeze({ kind: 'Union', name: node.name, inputs: node.inputs.map(toPhysical) });
    case 'AllToAll':
      return Object.freeze({ kind: 'AllToAll', name: node.name, input: toPhysical(node.input), spec: node.spec });
  }
}

function physicalSource(source: SourceSpec): PhysicalSource {
  return source.kind === 'files' ? planFilesSource(source) : source;
}

function physicalTransform(transform: LogicalTransform): Transform {
  return transform.op === 'read' ? planRead(transform) : transform;
}
