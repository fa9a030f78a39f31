import type { Table } from 'apache-arrow';
import type { Block, Row } from '../blocks/block.js';
import type { FilesSpec, ReadSpec } from '../io/read/index.js';
import type { Transform } from '../tasks/transform.js';
import type { AggregateFn } from './aggregate-fn.js';

/**
 * A read of the fragments a files source lists, as the optimizer sees it (its columns and
 * limit can be pushed into it); the planner turns it into an ordinary 'blocks' step that
 * runs io's reader (plan-read.ts), so the executor never sees a file.
 */
export interface ReadTransform extends ReadSpec {
  readonly op: 'read';
}

/** A step of a logical Map: a transform the workers run, or a read still to be planned. */
export type LogicalTransform = Transform | ReadTransform;

/** Where a map-like operator runs. 'any' is for cheap column operations that fuse with either. */
export type Compute =
  | { readonly kind: 'main'; readonly concurrency: number }
  | { readonly kind: 'tasks'; readonly numCpus: number; readonly concurrency: number | undefined }
  | { readonly kind: 'any' }
  | ActorCompute;

/** An actor pool: `min` to `max` long-lived actors, each constructing the class once (see ActorPool). */
export interface ActorCompute {
  readonly kind: 'actors';
  readonly min: number;
  readonly max: number;
  readonly numCpus: number;
  readonly numGpus: number;
  readonly maxRestarts: number;
  /** Batches per actor before it is replaced; null: no limit. */
  readonly maxTasksPerWorker: number | null;
  readonly maxTasksInFlightPerActor: number;
  readonly idleTimeoutMs: number;
  /** Heap limit of each actor's thread in MiB; null: the job's `workerHeapMb` setting. */
  readonly heapMb: number | null;
  readonly constructorArgs: readonly unknown[];
}

export interface RetryPolicy {
  /** Retries of a task after a worker crash (and after an application error when retryExceptions). */
  readonly maxRetries: number;
  readonly retryExceptions: boolean;
  /**
   * Most time one task may take (a batch, or a block of rows; the whole fused chain): past it
   * its worker or actor is ended and replaced, and the task is retried as after a crash.
   */
  readonly timeoutMs?: number;
}

export type SourceSpec =
  | { readonly kind: 'range'; readonly n: number }
  | { readonly kind: 'items'; readonly items: readonly Row[] }
  | { readonly kind: 'asyncIterable'; readonly open: () => AsyncIterable<Row> | Iterable<Row> }
  | { readonly kind: 'arrow'; readonly table: Table }
  | { readonly kind: 'blocks'; readonly blocks: readonly Block[] }
  | FilesSpec;

export type AllToAllSpec =
  | { readonly kind: 'repartition'; readonly numBlocks: number }
  | { readonly kind: 'randomShuffle'; readonly seed: number | undefined }
  | { readonly kind: 'sort'; readonly keys: readonly string[]; readonly descending: boolean }
  | { readonly kind: 'aggregate'; readonly keys: readonly string[]; readonly aggs: readonly AggregateFn[] }
  | { readonly kind: 'unique'; readonly column: string };

/** The logical plan: a tree of plain, frozen data. Behaviour lives in the planner and executor. */
export type LogicalNode =
  | { readonly kind: 'Source'; readonly name: string; readonly source: SourceSpec }
  | {
      readonly kind: 'Map';
      readonly name: string;
      readonly input: LogicalNode;
      readonly transform: LogicalTransform;
      readonly compute: Compute;
      readonly retry: RetryPolicy;
    }
  | { readonly kind: 'Limit'; readonly name: string; readonly input: LogicalNode; readonly n: number }
  | { readonly kind: 'Union'; readonly name: string; readonly inputs: readonly LogicalNode[] }
  | { readonly kind: 'AllToAll'; readonly name: string; readonly input: LogicalNode; readonly spec: AllToAllSpec };

export type NodeOf<K extends LogicalNode['kind']> = Extract<LogicalNode, { kind: K }>;

export const logical = {
  source(name: string, source: SourceSpec): NodeOf<'Source'> {
    return Object.freeze({ kind: 'Source', name, source });
  },
  map(input: LogicalNode, transform: LogicalTransform, compute: Compute, retry: RetryPolicy): NodeOf<'Map'> {
    return Object.freeze({ kind: 'Map', name: transform.name, input, transform, compute, retry });
  },
  limit(input: LogicalNode, n: number): NodeOf<'Limit'> {
    return Object.freeze({ kind: 'Limit', name: `Limit(${n})`, input, n });
  },
  union(inputs: readonly LogicalNode[]): NodeOf<'Union'> {
    return Object.freeze({ kind: 'Union', name: 'Union', inputs: Object.freeze([...inputs]) });
  },
  allToAll(input: LogicalNode, name: string, spec: AllToAllSpec): NodeOf<'AllToAll'> {
    return Object.freeze({ kind: 'AllToAll', name, input, spec });
  },
};

export function childrenOf(node: LogicalNode): readonly LogicalNode[] {
  switch (node.kind) {
    case 'Source':
      return [];
    case 'Union':
      return node.inputs;
    default:
      return [node.input];
  }
}
