import os from 'node:os';
import { UnrecoverableError, Worker, type Job as QueuedJob } from 'bullmq';
import { blockFromRows, type Block } from '../blocks/block.js';
import { blockFromIpc, blockToIpc } from '../blocks/ipc.js';
import { handleSignalsElsewhere } from '../exec/interrupt.js';
import { resolveSettings } from '../exec/settings.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import { ChainRunner } from './chain-runner.js';
import { FileReadError, InvalidOptionError, UdfError } from '../errors.js';
import { TaskPool } from '../pools/task-pool.js';
import { sharedReplyLimit } from '../pools/shared-replies.js';
import { serializeError } from '../pools/task-protocol.js';
import { DEFAULT_ROW_CONCURRENCY } from '../tasks/run-chain.js';
import { DEFAULT_LOCKS, DEFAULT_QUEUE, type LockSettings, type PartitionJob, type PartitionResult } from '../cluster/cluster-protocol.js';
import { codeMismatch, codeRoot, localChain } from '../cluster/portable-chain.js';
import { redisOptions } from '../cluster/redis-connection.js';

export interface ClusterWorkerOptions {
  /** The Redis URL the driver uses. */
  readonly redis: string;
  /** Default 'sluice'. */
  readonly queue?: string;
  /** Partitions run at once, each on a worker thread of its own. Default: the machine's cores. */
  readonly cpus?: number;
  /** Where this machine's checkout is (the folder with the lockfile). Default: found from the working directory up. */
  readonly root?: string;
  /** Heap limit of each worker thread, in MiB. Default 2048. */
  readonly heapMb?: number;
  readonly locks?: Partial<LockSettings>;
  /** Where the worker says what it does (a line per event). Default: stderr. */
  readonly log?: (line: string) => void;
}

export interface ClusterWorker {
  /** `host:pid`, as the driver's errors name it. */
  readonly id: string;
  /** Partitions this worker has finished. */
  readonly finished: number;
  /** Stops taking jobs, lets the running ones finish, and ends the threads. */
  close(): Promise<void>;
}

/**
 * A cluster worker (`npx sluice worker`): takes partition jobs from the queue, 2 x `cpus` at a
 * time, and runs each job's fused chain on its task pool (worker threads), or, for a run with an
 * actor pool between read and write, feeds it to a plan of the run's stages on this machine
 * (chain-runner.ts); the work is off the event loop that renews the jobs' locks either way. It commits outputs as the chain's write
 * does on one machine (temporary name, then rename). A job from other code (another lockfile or
 * module build) is refused as unrecoverable, naming what differs; a UDF's error is the job's
 * answer (the driver raises it), unless the operator retries exceptions and attempts are left;
 * a crashed thread or a timeout fails the attempt, which BullMQ retries.
 */
export async function startClusterWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const cpus = options.cpus ?? os.availableParallelism();
  if (!Number.isInteger(cpus) || cpus < 1) throw new InvalidOptionError('cpus', cpus, 'a whole number >= 1');
  const root = options.root ?? codeRoot();
  const locks = { ...DEFAULT_LOCKS, ...options.locks };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const id = `${os.hostname()}:${process.pid}`;
  // The worker's own SIGTERM finishes its running partitions, then ends the runners' jobs.
  handleSignalsElsewhere();
  const pool = new TaskPool(cpus, options.heapMb ?? 2048);
  // Stages run as a plan of this process's own: the executor's settings, never in cluster mode itself.
  const settings = resolveSettings({ cpus, progress: 'off', cluster: null, shard: null });
  const runners = new Map<string, ChainRunner>();
  /** The file rows of a partition whose stages do not fuse: through the runner of its run's stages, made on first use. */
  const runStages = async (job: PartitionJob, input: Block): Promise<TaskOutcome> => {
    const key = JSON.stringify(job.stages);
    let runner = runners.get(key);
    if (runner === undefined || !runner.open) {
      runner = new ChainRunner(localChain(job.stages!, root), settings);
      runners.set(key, runner);
    }
    return { block: blockFromRows(await runner.run(input, job.task)), skipped: [], udfMs: 0 };
  };
  let finished = 0;

  const runPartition = async (job: QueuedJob<PartitionJob, PartitionResult>): Promise<PartitionResult> => {
    const data = job.data;
    const mismatch = codeMismatch(root, data.code);
    if (mismatch !== null) throw new UnrecoverableError(`worker ${id} refuses ${data.operator} partition ${data.task}: ${mismatch}`);
    const bytes = Buffer.from(data.input, 'base64');
    const input = blockFromIpc(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const controller = new AbortController();
    const timer = data.timeoutMs === null ? null : setTimeout(() => controller.abort(), data.timeoutMs);
    try {
      const outcome =
        data.stages === null
          ? await pool.run(
              {
                block: input,
                transforms: localChain(data.chain, root),
                taskIndex: data.task,
                concurrency: DEFAULT_ROW_CONCURRENCY,
                sharedReplyBytes: sharedReplyLimit(settings.memoryBudget),
              },
              controller.signal,
            )
          : await runStages(data, input);
      finished++;
      return {
        worker: id,
        ok: true,
        ipc: Buffer.from(blockToIpc(outcome.block)).toString('base64'),
        skipped: outcome.skipped,
        udfMs: outcome.udfMs,
      };
    } catch (error) {
      const attemptsLeft = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      if (error instanceof UdfError && !(data.retryExceptions && attemptsLeft)) {
        finished++;
        return {
          worker: id,
          ok: false,
          operator: error.operator,
          input: error.input,
          cause: serializeError(error.cause),
          ...(error instanceof FileReadError ? { fileError: true } : {}),
        };
      }
      if (controller.signal.aborted)
        throw new Error(`worker ${id}: ${data.operator} partition ${data.task} ran past its ${data.timeoutMs} ms; its thread was ended`, {
          cause: error,
        });
      throw error;
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  };

  const worker = new Worker<PartitionJob, PartitionResult>(options.queue ?? DEFAULT_QUEUE, runPartition, {
    connection: redisOptions(options.redis, 'redis'),
    // Twice the threads: a partition waiting in the executor's queues keeps its actors busy.
    concurrency: 2 * cpus,
    // The driver's dashboard lists the workers by it.
    name: id,
    lockDuration: locks.lockMs,
    stalledInterval: locks.stalledMs,
    maxStalledCount: locks.maxStalledCount,
  });
  worker.on('error', (error) => log(`sluice worker ${id}: ${error.message}`));
  worker.on('failed', (job, error) => log(`sluice worker ${id}: ${job?.name ?? 'a job'} partition ${job?.data.task}: ${error.message}`));
  await worker.waitUntilReady();
  log(`sluice worker ${id}: ${cpus} thread(s), queue '${options.queue ?? DEFAULT_QUEUE}' on ${options.redis}, code root ${root}`);
  return {
    id,
    get finished() {
      return finished;
    },
    async close() {
      await worker.close();
      await Promise.all([...runners.values()].map((runner) => runner.end()));
      await pool.destroy();
    },
  };
}
