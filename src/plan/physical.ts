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
    }
  | { readonly kind: 'Limit'; readonly name: string; readonly input: PhysicalOp; readonly n: number }
  | { readonly kind: 'Union'; readonly name: string; readonly inputs: readonly PhysicalOp[] }
  | { readonly kind: 'AllToAll'; readonly name: string; readonly input: PhysicalOp; readonly spec: AllToAllSpec };

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
