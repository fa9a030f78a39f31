import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MilvusRequestError } from '../errors.js';
import { judgeStatus, withRetries } from '../sink/retry.js';
import type { ResolvedSinkOptions } from '../sink/sink-options.js';
import { ImportJobError } from './import-errors.js';

/** The part of the SDK's client an import uses. */
export type ImportClient = Pick<MilvusClient, 'bulkInsert' | 'getImportState'>;

/** A finished job: the rows Milvus imported. */
export interface FinishedJob {
  readonly jobId: string;
  readonly rows: number;
}

/**
 * Submits one import request; resolves to its job id. Sent once, never retried: a request that
 * timed out may have made a job, and a second one would import the files twice (the manifest
 * records the request as submitting before it is sent, for a rerun to see).
 */
export async function submitImport(
  client: ImportClient,
  calls: ResolvedSinkOptions,
  partition: string | null,
  files: readonly string[],
): Promise<string> {
  const response = await client.bulkInsert({
    collection_name: calls.collection,
    ...(partition === null ? {} : { partition_name: partition }),
    files: [...files],
    timeout: calls.callTimeoutMs,
  });
  const verdict = judgeStatus(response.status);
  if (verdict !== null)
    throw new MilvusRequestError(
      'Import',
      calls.collection,
      verdict.code,
      verdict.reason,
      1,
      'fix what the reason names (the files, the collection or the partition), then rerun with the same runId',
    );
  const jobId = response.tasks[0];
  if (jobId === undefined)
    throw new MilvusRequestError(
      'Import',
      calls.collection,
      'no job id',
      'Milvus answered without a job id',
      1,
      'check the server version: bulk import needs Milvus 2.3 or later',
    );
  return String(jobId);
}

const DONE = new Set(['ImportCompleted']);
const FAILED = new Set(['ImportFailed', 'ImportFailedAndCleaned']);

/**
 * Polls a job every `pollMs` (each poll with the sink's retries) until Milvus says it completed
 * (its rows) or failed (an ImportJobError with Milvus's reason verbatim and the files).
 */
export async function waitForImport(
  client: ImportClient,
  calls: ResolvedSinkOptions,
  job: { readonly jobId: string; readonly files: readonly string[] },
  options: { readonly pollMs: number },
): Promise<FinishedJob> {
  for (;;) {
    const { response: state } = await withRetries(
      { method: 'GetImportState', collection: calls.collection },
      calls,
      // The SDK types the id as a number; it travels as the int64 string Milvus gave, which a double could not hold.
      (timeout) => client.getImportState({ task: job.jobId as unknown as number, timeout }),
      (r) => r.status,
    );
    const rows = Number(state.row_count);
    if (DONE.has(String(state.state))) return { jobId: job.jobId, rows };
    if (FAILED.has(String(state.state))) {
      const reason = state.infos.find((info) => info.key === 'failed_reason')?.value ?? state.status.reason;
      throw new ImportJobError(calls.collection, job.jobId, String(reason || state.state), job.files);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
