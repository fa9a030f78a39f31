import { createHash } from 'node:crypto';
import { Job as QueuedJob, Queue, QueueEvents } from 'bullmq';
import type { Block } from '../blocks/block.js';
import { blockFromIpc, blockToIpc } from '../blocks/ipc.js';
import { CancelledError, ClusterError } from '../errors.js';
import type { WatchedTask } from '../observe/task-watch.js';
import { replyToError } from '../pools/task-protocol.js';
import type { TaskOutcome } from '../tasks/task-outcome.js';
import type { MapStage } from '../plan/physical.js';
import type { Transform } from '../tasks/transform.js';
import { partitionJobId, partitionJobOptions, type ClusterSettings, type PartitionJob, type PartitionResult } from './cluster-protocol.js';
import { codeHashes, codeRoot, portableChain, type CodeHashes } from './portable-chain.js';
import { redisOptions } from './redis-connection.js';

/**
 * One partition of a run for the workers, as the driver has it: the job's fields, with the chain
 * and stages as planned (made portable here), the input as a block, and how often to try it.
 */
export type PartitionCall = Pick<PartitionJob, 'runId' | 'operator' | 'task' | 'timeoutMs' | 'retryExceptions' | 'stages'> & {
  readonly runKey: string;
  readonly transforms: readonly Transform[];
  readonly input: Block;
  readonly attempts: number;
};

interface Waiter {
  readonly resolve: (result: PartitionResult) => void;
  readonly reject: (error: unknown) => void;
  readonly call: PartitionCall;
  /** Told when a worker takes the job: a job waiting in the queue is not running. */
  readonly watched: Pick<WatchedTask, 'runsAt'> | undefined;
}

const READY_TIMEOUT_MS = 10_000;
/** How often the driver asks for the state of the jobs it waits on, besides the completion events (which a Redis restart can lose). */
const POLL_MS = 2_000;

/**
 * The driver's side of cluster mode: runs a partition by adding it to the queue as a job (its id
 * made from the run, so a driver started again re-attaches to the jobs already there instead of
 * adding them twice) and waiting for its answer, which QueueEvents announces; the driver also
 * polls, since events published while Redis restarts are lost. A job of a resumed run that
 * failed is retried; one that finished while no driver was there answers at once.
 */
export class ClusterQueue {
  private readonly queue: Queue<PartitionJob, PartitionResult>;
  private readonly events: QueueEvents;
  private readonly waiting = new Map<string, Waiter>();
  /** Jobs waited on that a worker took. */
  private readonly running = new Set<string>();
  private readonly chains = new WeakMap<readonly Transform[], { chain: Transform[]; stages: MapStage[] | null; code: CodeHashes }>();
  private readonly root = codeRoot();
  private poller: NodeJS.Timeout | null = null;
  private lastError: unknown = null;

  constructor(readonly settings: ClusterSettings) {
    const connection = redisOptions(settings.redis);
    this.queue = new Queue(settings.queue, { connection });
    this.events = new QueueEvents(settings.queue, { connection });
    // Connection errors come with every reconnect attempt: kept for the message of a driver that cannot start.
    const remember = (error: unknown) => (this.lastError = error);
    this.queue.on('error', remember);
    this.events.on('error', remember);
    this.events.on('completed', ({ jobId }) => void this.check(jobId));
    this.events.on('failed', ({ jobId }) => void this.check(jobId));
    this.events.on('active', ({ jobId }) => this.taken(jobId));
  }

  /** Resolves once Redis answers; a ClusterError naming the URL after 10 s without it. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ClusterError(
              `cannot reach Redis at ${this.settings.redis} for cluster mode (${READY_TIMEOUT_MS / 1000} s); start it, or check the URL ` +
                '(configure({cluster}) or SLUICE_CLUSTER)',
              this.lastError ?? undefined,
            ),
          ),
        READY_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a partition on the workers; `watched` learns when a worker takes it. */
  async run(call: PartitionCall, signal: AbortSignal, watched?: Pick<WatchedTask, 'runsAt'>): Promise<TaskOutcome> {
    if (signal.aborted) throw new CancelledError();
    const { chain, stages, code } = this.portable(call.transforms, call.stages);
    const id = partitionJobId(call.runId, call.runKey, writeKey(call.transforms), call.task);
    const data: PartitionJob = {
      runId: call.runId,
      operator: call.operator,
      task: call.task,
      timeoutMs: call.timeoutMs,
      retryExceptions: call.retryExceptions,
      chain,
      stages,
      input: Buffer.from(blockToIpc(call.input)).toString('base64'),
      code,
    };
    const answer = new Promise<PartitionResult>((resolve, reject) => this.waiting.set(id, { resolve, reject, call, watched }));
    // Awaited below, unless adding the job fails first.
    answer.catch(() => undefined);
    const onAbort = () => {
      this.settle(id, null, new CancelledError());
      // A job no worker has taken yet goes with the run; one running finishes (its output is then there for a resume).
      void QueuedJob.fromId(this.queue, id)
        .then((job) => job?.remove())
        .catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const job = await this.queue.add(call.operator, data, partitionJobOptions(id, call.attempts));
      // The same id from the run this one resumes, failed: try it again.
      if (await job.isFailed()) await job.retry('failed');
      this.poll();
      void this.check(id);
      const result = await answer;
      if (!result.ok) throw replyToError(result);
      const bytes = Buffer.from(result.ipc, 'base64');
      const ipc = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return { block: blockFromIpc(ipc), skipped: result.skipped, udfMs: result.udfMs };
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.waiting.delete(id);
      this.running.delete(id);
    }
  }

  /** The workers connected to the queue, as Redis lists its clients: their names (host:pid) and addresses. */
  async workers(): Promise<{ name: string; address: string }[]> {
    const clients = await this.queue.getWorkers();
    // BullMQ names a named worker's connection '<prefix>:<queue>:w:<name>'.
    return clients.map((client) => ({ name: client.rawname?.split(':w:')[1] ?? 'unnamed', address: client.addr ?? '' }));
  }

  async close(): Promise<void> {
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  /** The chain (and stages) as they cross to workers, made once per operator. */
  private portable(
    transforms: readonly Transform[],
    given: readonly MapStage[] | null,
  ): { chain: Transform[]; stages: MapStage[] | null; code: CodeHashes } {
    let made = this.chains.get(transforms);
    if (made === undefined) {
      const { chain, modules } = portableChain({ transforms: [...transforms], stages: given === null ? null : [...given] }, this.root);
      made = { chain: chain.transforms, stages: chain.stages, code: codeHashes(this.root, modules) };
      this.chains.set(transforms, made);
    }
    return made;
  }

  private poll(): void {
    if (this.poller !== null) return;
    this.poller = setInterval(() => {
      if (this.waiting.size === 0) {
        clearInterval(this.poller!);
        this.poller = null;
        return;
      }
      for (const id of this.waiting.keys()) void this.check(id);
    }, POLL_MS);
  }

  /** Answers the waiter of job `id` if the job has finished. */
  private async check(id: string): Promise<void> {
    const waiter = this.waiting.get(id);
    if (waiter === undefined) return;
    let state: string;
    let job: QueuedJob<PartitionJob, PartitionResult> | undefined;
    try {
      // The state first, then the job: a job read before it finished would carry no answer.
      state = await this.queue.getJobState(id);
      job = state === 'completed' || state === 'failed' ? await QueuedJob.fromId<PartitionJob, PartitionResult>(this.queue, id) : undefined;
    } catch {
      // Redis is away; the next poll asks again.
      return;
    }
    const { call } = waiter;
    // Taken before this driver listened (a resume), or its 'active' event was lost.
    if (state === 'active' && !this.running.has(id)) this.taken(id);
    if (state === 'completed' && job?.returnvalue) this.settle(id, job.returnvalue, null);
    else if (state === 'failed' && job !== undefined)
      this.settle(
        id,
        null,
        new ClusterError(
          `${call.operator}: partition ${call.task} of run '${call.runId}' failed on the workers after ${job.attemptsMade} attempt(s): ` +
            `${job.failedReason}; see that worker's log, then rerun with mode 'resume' and the same runId to finish the rest`,
        ),
      );
    else if (state === 'unknown')
      this.settle(
        id,
        null,
        new ClusterError(
          `${call.operator}: the job of partition ${call.task} of run '${call.runId}' is gone from queue '${this.settings.queue}' ` +
            '(was the queue emptied?); rerun with mode resume and the same runId',
        ),
      );
  }

  /** A worker took job `id`: its watched task runs from now (taken again after a retry, from then). */
  private taken(id: string): void {
    const watched = this.waiting.get(id)?.watched;
    if (watched === undefined) return;
    this.running.add(id);
    const place = { thread: 'cluster worker', startedAt: Date.now() };
    watched.runsAt(() => place);
  }

  private settle(id: string, result: PartitionResult | null, error: unknown): void {
    const waiter = this.waiting.get(id);
    if (waiter === undefined) return;
    this.waiting.delete(id);
    this.running.delete(id);
    if (result !== null) waiter.resolve(result);
    else waiter.reject(error);
  }
}

/** Which write of the run a partition belongs to: a script can write twice with one run id. */
function writeKey(transforms: readonly Transform[]): string {
  return createHash('sha256')
    .update(transforms.at(-1)?.name ?? '')
    .digest('hex')
    .slice(0, 8);
}

/** Queues in use in this process, by settings, with how many jobs use each: one set of Redis connections per queue. */
const open = new Map<string, { queue: ClusterQueue; users: number }>();

/** The queue of `settings` for a job, opened (and Redis reached) on first use. */
export async function acquireClusterQueue(settings: ClusterSettings): Promise<ClusterQueue> {
  const key = `${settings.redis} ${settings.queue}`;
  let entry = open.get(key);
  if (entry === undefined) {
    entry = { queue: new ClusterQueue(settings), users: 0 };
    open.set(key, entry);
  }
  entry.users++;
  try {
    await entry.queue.ready();
  } catch (error) {
    await releaseClusterQueue(entry.queue);
    throw error;
  }
  return entry.queue;
}

/** Hands a job's queue back; the last user closes its connections, so that the script can exit. */
export async function releaseClusterQueue(queue: ClusterQueue): Promise<void> {
  const key = `${queue.settings.redis} ${queue.settings.queue}`;
  const entry = open.get(key);
  if (entry === undefined || entry.queue !== queue) return;
  if (--entry.users > 0) return;
  open.delete(key);
  await queue.close();
}
