import type { Block } from '../blocks/block.js';
import type { FilesSpec } from '../io/read/index.js';
import type { Transform } from '../tasks/transform.js';
import type { AllToAllSpec, Compute, RetryPolicy, SourceSpec } from './logical.js';

/** Where a physical source's blocks come from: data the plan holds, or a stream the planner set up (a files source's fragment rows). */
export type PhysicalSource = Exclude<SourceSpec, FilesSpec> | { readonly kind: 'stream'; readonly open: () => AsyncIterable<Block> };

/** The physical plan: operators the executor runs, joined by bounded queues. */
export type PhysicalOp =
  | { readonly kind: 'Source'; readonly name: string; readonly source: PhysicalSource }
  | {
      readonly kind: 'Map';
      readonly name: string;
      readonly input: PhysicalOp;
      /** A chain of transforms fused into one operator: one task runs them all on a bundle. */
      readonly transforms: readonly Transform[];
      readonly compute: Compute;
      readonly retry: RetryPolicy;
      /**
       * Cluster mode: the operators from a run's read to its write, which this one stands for on
       * the driver; a worker runs them as a plan of its own (exec/partition-chain.ts).
       */
      readonly stages?: readonly MapStage[];
      /** Its input blocks are partitions already, tagged (a cluster worker's jobs): each is one task, named by it. */
      readonly givenPartitions?: true;
    }
  | { readonly kind: 'Limit'; readonly name: string; readonly input: PhysicalOp; readonly n: number }
  | { readonly kind: 'Union'; readonly name: string; readonly inputs: readonly PhysicalOp[] }
  | { readonly kind: 'AllToAll'; readonly name: string; readonly input: PhysicalOp; readonly spec: AllToAllSpec };

/** A map operator as plain data, which crosses to a cluster worker. */
export interface MapStage {
  readonly name: string;
  readonly transforms: readonly Transform[];
  readonly compute: Compute;
  readonly retry: RetryPolicy;
}

export type PhysicalOf<K extends PhysicalOp['kind']> = Extract<PhysicalOp, { kind: K }>;

export function physicalInputs(op: PhysicalOp): readonly PhysicalOp[] {
  switch (op.kind) {
    case 'Source':
      return [];
    case 'Union':
      return op.inputs;
    default:
      return [op.input];
  }
}

/** Every operator of a plan, sources first. */
export function physicalOps(root: PhysicalOp): PhysicalOp[] {
  const out: PhysicalOp[] = [];
  const visit = (op: PhysicalOp) => {
    physicalInputs(op).forEach(visit);
    out.push(op);
  };
  visit(root);
  return out;
}
