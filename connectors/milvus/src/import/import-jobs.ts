import type { MilvusClient, ResStatus } from '@zilliz/milvus2-sdk-node';
import { ImportJobError } from './import-errors.js';

/** The part of the SDK's client an import uses. */
export type ImportClient = Pick<MilvusClient, 'bulkInsert' | 'getImportState'>;

/** A finished job: the rows Milvus imported. */
export interface FinishedJob {
  readonly jobId: string;
  readonly rows: number;
}

/** Thrown when Milvus answers an import call with a status other than success. */
export class ImportCallError extends Error {
  override name = 'ImportCallError';
}

function checkStatus(call: string, collection: string, status: ResStatus | undefined): void {
  const failed = status !== undefined && ((status.code ?? 0) !== 0 || (status.error_code !== 'Success' && status.error_code !== 0));
  if (failed) throw new ImportCallError(`${call} for collection '${collection}' failed: ${status.reason || String(status.error_code)}`);
}

/** Submits one import request; resolves to its job id. */
export async function submitImport(
  client: ImportClient,
  collection: string,
  partition: string | null,
  files: readonly string[],
): Promise<string> {
  const response = await client.bulkInsert({
    collection_name: collection,
    ...(partition === null ? {} : { partition_name: partition }),
    files: [...files],
  });
  checkStatus('Import', collection, response.status);
  const jobId = response.tasks[0];
  if (jobId === undefined) throw new ImportCallError(`Import for collection '${collection}' answered without a job id`);
  return String(jobId);
}

const DONE = new Set(['ImportCompleted']);
const FAILED = new Set(['ImportFailed', 'ImportFailedAndCleaned']);

/**
 * Polls a job every `pollMs` until Milvus says it completed (its rows) or failed (an
 * ImportJobError with Milvus's reason verbatim and the files). `onPoll` sees each state.
 */
export async function waitForImport(
  client: ImportClient,
  job: { readonly collection: string; readonly jobId: string; readonly files: readonly string[] },
  options: { readonly pollMs: number; readonly signal?: AbortSignal; readonly onPoll?: (state: string, rows: number) => void },
): Promise<FinishedJob> {
  for (;;) {
    options.signal?.throwIfAborted();
    // The SDK types the id as a number; it travels as the int64 string Milvus gave, which a double could not hold.
    const state = await client.getImportState({ task: job.jobId as unknown as number });
    checkStatus('GetImportState', job.collection, state.status);
    const rows = Number(state.row_count);
    options.onPoll?.(String(state.state), rows);
    if (DONE.has(String(state.state))) return { jobId: job.jobId, rows };
    if (FAILED.has(String(state.state))) {
      const reason = state.infos.find((info) => info.key === 'failed_reason')?.value ?? state.status.reason;
      throw new ImportJobError(job.collection, job.jobId, String(reason || state.state), job.files);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
