import type { Block } from '../blocks/block.js';
import { sliceIntoBatches } from '../blocks/slice.js';
import { WriteError } from '../errors.js';
import { partitionOf } from '../exec/partition-chain.js';
import { checkStorageOptions, objectStoreFor, type ObjectStore } from '../io/storage/index.js';
import { committedTasks, prepareRunRecords, recordCommitted, recordPartitions, runKeyOf, runRecorded } from '../io/write/index.js';
import type { DatasetStats } from '../observe/stats.js';
import { logical, type LogicalNode } from '../plan/logical.js';
import { refuseUnpartitionedRun } from './consume.js';
import type { BatchFormat } from '../blocks/batch-format.js';
import { WORKER_SINK_STEP, type Datasink, type WorkerSinkArgs } from '../io/write/index.js';

/** Partitions a sink that stores rows later (`settled`) lets wait before it is asked to settle them. */
const SETTLE_EVERY = 8;

/** Partitions a cluster worker writes into its sink at once. */
const WORKER_SINK_CONCURRENCY = 4;

/**
 * A write to a Datasink with a run id. The plan gets one more step, on the main thread, that
 * passes each partition (read task) on as one block (see exec/partition-chain.ts); the sink
 * receives that block's batches, and once all of them are written the partition is recorded in
 * `<runDir>/_sluice-runs/<runId>/`. A resumed run reads no recorded partition again. A partition
 * cut short by a crash is written again from its start: the sink must be idempotent (upserts).
 */
export class SinkRun {
  private readonly remaining = new Map<number, number>();
  private readonly partitionOfBatch = new WeakMap<Block, number>();
  /** Partitions whose batches `write` took, waiting for the sink's `settled()` before they are recorded. */
  private unsettled: number[] = [];
  private settling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly settle: (() => Promise<void>) | null,
    private readonly name: string,
    private readonly store: ObjectStore,
    private readonly dir: string,
    readonly runId: string,
    readonly plan: LogicalNode,
  ) {}

  /**
   * `workers`: the sink is written on cluster workers (Datasink.onWorkers): the step writes each
   * partition into a sink a worker thread makes, and answers `{partition, rows}` once it is stored.
   */
  static async start(
    sink: Pick<Datasink<object, unknown, BatchFormat>, 'settled'>,
    plan: LogicalNode,
    name: string,
    runId: string,
    mode: 'append' | 'resume',
    runDir: string | undefined,
    workers: WorkerSinkArgs | null = null,
  ): Promise<SinkRun> {
    const store = objectStoreFor(runDir ?? process.cwd(), checkStorageOptions(undefined));
    const dir = store.normalize(runDir ?? process.cwd());
    if (mode !== 'resume' && (await runRecorded(store, dir, runId)))
      throw new WriteError(
        name,
        `run '${runId}' is already recorded in ${dir}; go on with it with mode 'resume', or give this write another runId`,
      );
    const done = mode === 'resume' ? await committedTasks(store, dir, runId) : new Map<number, unknown>();
    const runKey = await runKeyOf(store, dir, runId);
    const partitioned = { runId, runKey };
    const doneTasks = done.size > 0 ? { doneTasks: [...done.keys()].map((task) => ({ task, rows: [] })) } : {};
    const common = { onError: 'fail', maxRows: Infinity, maxBytes: Infinity, timeoutMsPerRow: undefined, inputs: 'rows' } as const;
    const step =
      workers === null
        ? logical.map(
            plan,
            {
              op: 'blocks',
              name: `Partitions(${name})`,
              fn: { kind: 'local', fn: passPartition },
              args: null,
              ...common,
              partitioned,
              ...doneTasks,
            },
            { kind: 'main', concurrency: 1 },
            { maxRetries: 0, retryExceptions: false },
          )
        : logical.map(
            plan,
            {
              op: 'blocks',
              name: `Write(${name})`,
              fn: { kind: 'module', ...WORKER_SINK_STEP },
              args: workers,
              ...common,
              partitioned,
              ...doneTasks,
            },
            // On the worker's main thread: a sink is async I/O, and its client may not load in worker threads.
            { kind: 'main', concurrency: WORKER_SINK_CONCURRENCY },
            { maxRetries: 0, retryExceptions: false },
          );
    refuseUnpartitionedRun(step);
    await prepareRunRecords(store, dir, runId, runKey, false).catch((error: unknown) => {
      throw new WriteError(name, `cannot make the record of run '${runId}' in ${dir}; check the path and its permissions`, error);
    });
    const settle = sink.settled === undefined ? null : () => sink.settled!();
    return new SinkRun(settle, name, store, dir, runId, step);
  }

  /** The sink's batches: each partition's block cut to `rowsPerWrite`; a partition without rows is recorded at once. */
  async *batches(blocks: AsyncIterable<Block>, rowsPerWrite: number | undefined): AsyncGenerator<Block> {
    for await (const block of blocks) {
      const partition = partitionOf(block, this.name);
      const parts = block.numRows === 0 ? [] : sliceIntoBatches(block, rowsPerWrite);
      if (parts.length === 0) await this.record(partition);
      this.remaining.set(partition, parts.length);
      for (const part of parts) {
        this.partitionOfBatch.set(part, partition);
        yield part;
      }
    }
  }

  /**
   * A batch is written: its partition is done with its last batch, and recorded then, or, for a
   * sink that stores rows later (`settled`), once SETTLE_EVERY partitions wait and the sink says
   * all it was given is stored.
   */
  async written(batch: Block): Promise<void> {
    const partition = this.partitionOfBatch.get(batch)!;
    const left = this.remaining.get(partition)! - 1;
    this.remaining.set(partition, left);
    if (left > 0) return;
    if (this.settle === null) return this.record(partition);
    this.unsettled.push(partition);
    if (this.unsettled.length >= SETTLE_EVERY) await this.recordSettled();
  }

  /** After the sink's onWriteComplete (everything stored): records the partitions still waiting, and how many the run has. */
  async finish(stats: DatasetStats): Promise<void> {
    await this.recordSettled();
    const partitions = stats.operators.find((op) => op.partitions !== undefined)?.partitions;
    if (partitions !== undefined) await recordPartitions(this.store, this.dir, this.runId, partitions);
  }

  private recordSettled(): Promise<void> {
    const waiting = this.unsettled;
    this.unsettled = [];
    // One settle at a time: a partition is recorded only after a settle that began after its last write.
    this.settling = this.settling.then(async () => {
      if (waiting.length === 0) return;
      await this.settle?.();
      for (const partition of waiting) await this.record(partition);
    });
    return this.settling;
  }

  /** Records a partition as done: its rows are stored (by this process's sink, or by a worker's). */
  async record(partition: number): Promise<void> {
    await recordCommitted(this.store, this.dir, this.runId, { task: partition, file: null }).catch((error: unknown) => {
      throw new WriteError(this.name, `cannot record partition ${partition} of run '${this.runId}' in ${this.dir}`, error);
    });
  }
}

/** The partition step's function: the block as it is (the operator around it keeps it whole and tagged). */
function passPartition(block: Block): Block {
  return block;
}
