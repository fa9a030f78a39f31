import { blockFromRows, type Block } from '../blocks/block.js';
import { concatBlocks } from '../blocks/concat.js';
import { ClusterError, UnpartitionedRunError } from '../errors.js';
import { physicalInputs, type PhysicalOf, type PhysicalOp } from '../plan/physical.js';
import type { BlocksTransform } from '../tasks/transform.js';

/**
 * A write with a run id names its files by partition: the read task each file's rows come from,
 * the same on every run of the same input, so that a resumed run skips what is committed. Where
 * the write runs in its read's tasks (fused), a task is a partition. Where other operators stand
 * between them (an actor pool, a main-thread function), each of those operators keeps the
 * partitions apart: it cuts its batches from one partition's block only, gathers the results of
 * that block's tasks, and passes them on as one block tagged with the partition, empty or not;
 * the write then writes each partition as one task, named by it. Roles, from the read on:
 *   fused  — read and write in one operator;
 *   head   — the read: one task per partition, its result tagged; done partitions are not read;
 *   middle — an operator between: one block per partition in, one out;
 *   write  — one task per partition (file targets do not apply), an empty partition recorded
 *            without a file, and the file rows of the partitions a resumed run found done.
 */
export type PartitionRole = { readonly kind: 'fused' | 'head' | 'middle' | 'write'; readonly write: PartitionedWrite };

export type PartitionedWrite = BlocksTransform & { readonly partitioned: NonNullable<BlocksTransform['partitioned']> };

/** The partitioned chains of a plan: each operator's role, from the write up to its read. */
export function partitionRoles(ops: readonly PhysicalOp[]): Map<PhysicalOp, PartitionRole> {
  const roles = new Map<PhysicalOp, PartitionRole>();
  for (const op of ops) {
    if (op.kind !== 'Map') continue;
    const write = op.transforms.at(-1);
    if (!(write?.op === 'blocks' && write.partitioned !== undefined)) continue;
    const partitioned = write as PartitionedWrite;
    if (readsFiles(op)) {
      roles.set(op, { kind: 'fused', write: partitioned });
      continue;
    }
    roles.set(op, { kind: 'write', write: partitioned });
    for (let current: PhysicalOp = op; ;) {
      const inputs = physicalInputs(current);
      const input = inputs.length === 1 ? inputs[0] : undefined;
      if (input?.kind !== 'Map' || streamsFiles(input))
        throw new UnpartitionedRunError(
          partitioned.name,
          'a write with a runId names its files by the partitions of its read, and here it cannot follow them: ' +
            `${input === undefined ? 'the plan' : input.name} ${refusal(input)}. ` +
            'Leave runId out, or write before that operator',
        );
      if (readsFiles(input)) {
        roles.set(input, { kind: 'head', write: partitioned });
        break;
      }
      roles.set(input, { kind: 'middle', write: partitioned });
      current = input;
    }
  }
  return roles;
}

function refusal(op: PhysicalOp | undefined): string {
  switch (op?.kind) {
    case 'Map':
      return 'is a streaming read (ffmpeg), whose parts are not partitions of a run yet';
    case 'AllToAll':
      return 'stands between them and moves rows across partitions (sort, groupBy, repartition, shuffle)';
    case 'Limit':
      return 'stands between them and keeps rows of some partitions only';
    case 'Union':
      return 'stands between them and joins several inputs';
    default:
      return 'is where the rows come from, and reads no files (a run is partitioned by the files it reads)';
  }
}

function readsFiles(op: PhysicalOf<'Map'>): boolean {
  const first = op.transforms[0];
  return first?.op === 'blocks' && first.inputs === 'files' && first.streams === undefined;
}

function streamsFiles(op: PhysicalOf<'Map'>): boolean {
  const first = op.transforms[0];
  return first?.op === 'blocks' && first.inputs === 'files' && first.streams !== undefined;
}

/**
 * Cluster mode's plan: a run whose read and write do not fuse (an actor pool between them) is
 * handed to the workers as one operator, the read's, carrying the whole chain as `stages`: the
 * driver hands out partitions and records files, and a worker runs the stages as a plan of its
 * own. A plain function (of this process) cannot cross: such a chain is refused.
 */
export function clusterChains(root: PhysicalOp): PhysicalOp {
  if (root.kind !== 'Map') return root;
  const role = partitionRoles([root]).get(root);
  if (role?.kind !== 'write') return root;
  const chain: PhysicalOf<'Map'>[] = [root];
  for (let op = root.input; ; op = (op as PhysicalOf<'Map'>).input) {
    const map = op as PhysicalOf<'Map'>;
    chain.unshift(map);
    if (readsFiles(map)) break;
  }
  const local = chain.find((op) => op.transforms.some((t) => 'fn' in t && t.fn.kind === 'local'));
  if (local !== undefined)
    throw new ClusterError(
      `${role.write.name}: cluster mode runs a run's operators on the workers, and ${local.name} runs a function of this ` +
        'process (a plain function, not udf(import.meta.url, …)); make it a udf(), or run this write here (cluster: null)',
    );
  const [head] = chain;
  return Object.freeze({
    kind: 'Map',
    name: chain.map((op) => op.name).join('->'),
    input: head.input,
    transforms: [...head.transforms, role.write],
    compute: head.compute,
    retry: head.retry,
    stages: chain.map(({ name, transforms, compute, retry }) => ({ name, transforms, compute, retry })),
  });
}

const tags = new WeakMap<Block, number>();

/** Marks `block` as partition `partition`'s (the tag lives on the main thread, with the block). */
export function tagPartition(block: Block, partition: number): Block {
  tags.set(block, partition);
  return block;
}

export function partitionOf(block: Block, operator: string): number {
  const partition = tags.get(block);
  if (partition === undefined) throw new Error(`internal: ${operator} received a block of no partition`);
  return partition;
}

/** The row a partitioned write answers for a partition without rows: it is done, with no file. */
export function emptyPartitionRow(partition: number): Block {
  return blockFromRows([{ path: '', rows: 0, bytes: 0, sha256: '', partition }]);
}

/** Whether a write's answer is emptyPartitionRow's. */
export function isEmptyPartitionRow(block: Block): boolean {
  return block.numRows === 1 && block.getChild('partition') !== null && block.getChild('path')?.get(0) === '';
}

/**
 * The tasks an operator cut from one partition's block: their results, gathered in task order
 * and passed on as one block tagged with the partition once the last is in (`emit`, once).
 */
export class PartitionGroup {
  private readonly results = new Map<number, Block>();
  private readonly tasks: number[] = [];
  private sealed = false;
  private emitted = false;

  constructor(
    readonly partition: number,
    private readonly emit: (block: Block) => Promise<void>,
  ) {}

  expect(task: number): void {
    this.tasks.push(task);
  }

  add(task: number, block: Block): Promise<void> {
    this.results.set(task, block);
    return this.emitIfComplete();
  }

  /** Every task of the partition is known: with none (an empty block), the partition goes on empty. */
  seal(): Promise<void> {
    this.sealed = true;
    return this.emitIfComplete();
  }

  private emitIfComplete(): Promise<void> {
    if (this.emitted || !this.sealed || this.results.size < this.tasks.length) return Promise.resolve();
    this.emitted = true;
    const block = concatBlocks(this.tasks.map((task) => this.results.get(task)!));
    this.results.clear();
    return this.emit(tagPartition(block, this.partition));
  }
}
