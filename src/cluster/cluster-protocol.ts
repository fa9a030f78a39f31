import type { UdfFailure } from '../pools/task-protocol.js';
import type { SkippedInput } from '../tasks/task-outcome.js';
import type { MapStage } from '../plan/physical.js';
import type { Transform } from '../tasks/transform.js';
import type { CodeHashes } from './portable-chain.js';

/**
 * What the driver and the workers of cluster mode say to each other through BullMQ: a job is
 * one read partition of a write with a run id, its fused chain as data; its return value is the
 * task's answer. The job options are BullMQ's delivery semantics, chosen here on purpose.
 */

/** Where cluster mode's jobs go: a Redis URL and a queue name, the same for the driver and its workers. */
export interface ClusterSettings {
  readonly redis: string;
  /** Default 'sluice'. Jobs of every run share it; their ids keep them apart. */
  readonly queue: string;
}

export const DEFAULT_QUEUE = 'sluice';

/** A job's data: one partition (read task) of a run. */
export interface PartitionJob {
  readonly runId: string;
  readonly operator: string;
  readonly task: number;
  /** The fused chain, module paths relative to the code root (portable-chain.ts). */
  readonly chain: readonly Transform[];
  /** The task's input block (fragment rows), Arrow IPC in base64. */
  readonly input: string;
  readonly code: CodeHashes;
  /** Past this the worker gives up on the attempt (a read's per-file limits, all its files); null: none. */
  readonly timeoutMs: number | null;
  /** A UDF's error fails the attempt (retried while attempts are left) instead of answering at once (`retryExceptions`). */
  readonly retryExceptions: boolean;
  /**
   * The operators from read to write, portable, when they do not fuse into `chain` (an actor
   * pool between them): the worker runs them as a plan of its own. Null: `chain` is the task.
   */
  readonly stages: readonly MapStage[] | null;
}

/**
 * A job's return value. A UDF's error is an answer (ok: false), not a failed job: BullMQ retries
 * failed jobs, and a UDF error is retried only where the operator asks (as on the task pool).
 */
export type PartitionResult = { readonly worker: string } & (
  { readonly ok: true; readonly ipc: string; readonly skipped: SkippedInput[]; readonly udfMs: number } | UdfFailure
);

/** A partition's job id: the run, its key (a fresh run's, kept by a resume), the write, the task. */
export function partitionJobId(runId: string, runKey: string, writeKey: string, task: number): string {
  return `${runId}.${runKey}.${writeKey}.${task}`;
}

const WEEK_S = 7 * 24 * 3600;

/**
 * Each partition is tried `attempts` times (a failed attempt: the worker's thread crashed or
 * the attempt timed out), with exponential backoff from 1 s. Finished jobs are kept a week, so
 * that a driver started again with the run's id finds the answers of partitions that finished
 * while it was down, and a failed one can be retried by a resume.
 */
export function partitionJobOptions(jobId: string, attempts: number) {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential' as const, delay: 1000 },
    removeOnComplete: { age: WEEK_S },
    removeOnFail: { age: WEEK_S },
  };
}

/** Worker settings that decide when a job is taken from a dead or frozen worker. */
export interface LockSettings {
  /** How long a worker's lock on a job lasts; renewed every half of it while the job runs. Default 30,000. */
  readonly lockMs: number;
  /** How often workers look for jobs whose lock expired (stalled) and put them back. Default 30,000. */
  readonly stalledMs: number;
  /** A job that stalls more often than this fails. Default 2. */
  readonly maxStalledCount: number;
}

export const DEFAULT_LOCKS: LockSettings = { lockMs: 30_000, stalledMs: 30_000, maxStalledCount: 2 };
