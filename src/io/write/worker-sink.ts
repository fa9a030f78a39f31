import { blockToBatch, type BatchFormat } from '../../blocks/batch-format.js';
import { blockFromRows, type Block } from '../../blocks/block.js';
import { sliceIntoBatches } from '../../blocks/slice.js';
import { WriteError } from '../../errors.js';
import type { BlockTask } from '../../tasks/block-task.js';
import type { Datasink, SinkOnWorkers } from './datasink.js';
import { LoadedOnce } from '../../tasks/loaded-once.js';

/** What a write to a sink on workers hands each task (plain data: it crosses to workers). */
export interface WorkerSinkArgs {
  readonly name: string;
  readonly sink: SinkOnWorkers;
  readonly writeId: string;
  readonly format: BatchFormat;
  readonly rowsPerWrite: number | undefined;
}

/** The step's function, by module and export: the fused chain of a cluster worker names it. */
export const WORKER_SINK_STEP = { moduleUrl: import.meta.url, exportName: 'writeToWorkerSink' } as const;

/**
 * Sinks made in this thread, by how they are made: one per sink, started once, for every
 * partition this thread writes. A sink that could not start is made again for the next
 * partition (its error fails this one).
 */
const sinks = new LoadedOnce<Datasink<object, unknown, BatchFormat>>();

function sinkFor(args: WorkerSinkArgs): Promise<Datasink<object, unknown, BatchFormat>> {
  return sinks.get(JSON.stringify(args.sink), async () => {
    const module = (await import(args.sink.moduleUrl)) as Record<string, unknown>;
    const factory = module[args.sink.exportName];
    if (typeof factory !== 'function')
      throw new WriteError(args.name, `${args.sink.moduleUrl} has no export '${args.sink.exportName}' that makes the sink`);
    const sink = (await (factory as (...a: unknown[]) => unknown)(...args.sink.args)) as Datasink<object, unknown, BatchFormat>;
    await sink.onWriteStart?.({ writeId: args.writeId });
    return sink;
  });
}

/**
 * Writes one partition into the sink of this thread (made on first use from `onWorkers`), in
 * batches of `rowsPerWrite`, and answers once the sink has stored them (`settled`): one row,
 * the partition's rows, which the driver records. The sink stays open for the thread's next
 * partitions; its `onWriteComplete` does not run on a worker (rows are stored at each settle).
 */
export async function writeToWorkerSink(block: Block, task: BlockTask<WorkerSinkArgs>): Promise<Block> {
  const { args } = task;
  const sink = await sinkFor(args);
  try {
    for (const batch of block.numRows === 0 ? [] : sliceIntoBatches(block, args.rowsPerWrite))
      await sink.write(blockToBatch(batch, args.format), { writeId: args.writeId, taskIndex: task.taskIndex });
    await sink.settled?.();
  } catch (error) {
    throw new WriteError(args.name, `partition ${task.taskIndex} could not be written`, error);
  }
  return blockFromRows([{ partition: task.taskIndex, rows: block.numRows }]);
}
