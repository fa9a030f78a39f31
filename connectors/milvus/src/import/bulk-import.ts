import {
  fromItems,
  InvalidOptionError,
  newWriteId,
  objectStoreFor,
  registerSecret,
  UdfError,
  UnpartitionedRunError,
  type Dataset,
  type ExecutionOptions,
  type ObjectStore,
  type StorageOptions,
} from 'sluice';
import { collectionSchema, connect } from '../sink/milvus-calls.js';
import { resolveSinkOptions, type ResolvedSinkOptions } from '../sink/sink-options.js';
import { importEncoderUdf } from './import-batch-udf.js';
import { ImportJobError, ImportResumeError } from './import-errors.js';
import { importSchemaOf } from './import-fields.js';
import { submitImport, waitForImport, type ImportClient } from './import-jobs.js';
import { jobGroups, loadManifest, saveManifest, type ImportManifest, type ManifestFile, type ManifestJob } from './import-manifest.js';

/** Milvus takes at most this many files in one import request. */
export const MAX_FILES_PER_JOB = 1024;
/** Milvus reads import files of at most 16 GB. */
const MAX_FILE_BYTES = 16 * 1000 ** 3;

/** Options of `bulkImportMilvus`; execution options (cpus, memoryBudget, progress…) may be given alongside. */
export interface BulkImportOptions extends ExecutionOptions {
  /** Milvus's address: `http://localhost:19530`, `localhost:19530`, or a Zilliz Cloud endpoint. */
  readonly uri: string;
  /** `user:password` or an API key; never printed. */
  readonly token?: string;
  readonly database?: string;
  readonly collection: string;
  /** The partition the rows go to (one per import). Default: the collection's default partition. */
  readonly partition?: string;
  /**
   * The bucket Milvus imports from (its own MinIO/S3 bucket: import paths are relative to it),
   * a prefix in it, and how to reach it (endpoint, region, credentials; see "Object storage").
   */
  readonly storage: StorageOptions & { readonly bucket: string; readonly prefix?: string };
  /**
   * Names this import: its files and manifest live under `<prefix>/<runId>/`. Give the same
   * run id to a rerun after a crash: it skips what is uploaded and imported. Default: a new id.
   */
  readonly runId?: string;
  /** About this many bytes of Arrow data per file. Default 256 MiB (Milvus reads files up to 16 GB). */
  readonly fileSize?: number;
  /** Files per import request, at most 1,024 (the default). */
  readonly filesPerJob?: number;
  /** Import jobs submitted at once. Default 2. */
  readonly jobsInFlight?: number;
  /** Milliseconds between polls of a job's state. Default 2000. */
  readonly pollMs?: number;
}

/** What a bulk import did. */
export interface BulkImportResult {
  readonly runId: string;
  readonly collection: string;
  /** The import files, as keys in the bucket. */
  readonly files: readonly ManifestFile[];
  /** Every import job of the run, with the rows Milvus imported. */
  readonly jobs: readonly { readonly jobId: string; readonly files: readonly string[]; readonly rows: number }[];
  /** Rows imported, over all jobs. */
  readonly rows: number;
  /** Whether this call found the files uploaded by an earlier call with the same run id. */
  readonly resumedUpload: boolean;
}

/**
 * Loads `ds` into a Milvus collection by bulk import, the fast path for millions of rows:
 * the rows become Parquet files in Milvus's import format on the task pool (checked against
 * the collection's schema), uploaded to the bucket Milvus reads; then import jobs of at most
 * 1,024 files are submitted and polled as an operator of their own (`MilvusImport(<collection>)`).
 * A manifest beside the files records each step, so a rerun with the same `runId` after a
 * crash never uploads or imports a file twice. Imported rows are visible once their job completed.
 */
export async function bulkImportMilvus<T extends object>(ds: Dataset<T>, options: BulkImportOptions): Promise<BulkImportResult> {
  const {
    uri,
    token,
    database,
    collection,
    partition,
    storage,
    runId: givenRunId,
    fileSize,
    filesPerJob,
    jobsInFlight,
    pollMs,
    ...execution
  } = options;
  checkImportOptions(options);
  registerSecret(token);
  const { bucket, prefix = '', ...connection } = storage;
  // A write id's form: a UTC timestamp (runs sort by time) and a random part.
  const runId = givenRunId ?? newWriteId();
  // The sink's connection and retries (the SDK's own are off) serve the import's calls too.
  const calls = resolveSinkOptions({ uri, database, collection, partition });
  const client = await connect(calls, token);
  try {
    const schema = importSchemaOf((await collectionSchema(client, calls)).schema);
    const keyPrefix = [prefix.replace(/^\/+|\/+$/g, ''), runId].filter(Boolean).join('/');
    const dir = `s3://${bucket}/${keyPrefix}`;
    const store = objectStoreFor(dir, connection);
    const manifests = new ManifestWriter(store, dir, await loadManifest(store, dir, { runId, collection, partition: partition ?? null }));
    const resumedUpload = manifests.current.files !== null;
    if (!resumedUpload) {
      const filesDir = store.join(dir, 'files');
      const encoded = ds.mapBatches(importEncoderUdf(schema), { batchFormat: 'arrow', name: `MilvusImportFiles(${collection})` });
      const upload = { ...execution, storage: connection };
      // Rows read from files upload as a run: a file per read task, and an upload killed mid-way
      // keeps the files it committed, so that a rerun uploads only the rest.
      const written = await encoded.writeParquet(filesDir, { ...upload, runId, mode: 'resume' }).catch(async (error: unknown) => {
        if (!(error instanceof UnpartitionedRunError)) throw error;
        // Other rows upload whole: files of an upload that was killed before it finished were never in a manifest, never imported.
        await store.removeByPrefix(filesDir, '', { finished: true });
        // Not a run, so not for a cluster's workers either: this process uploads them.
        return encoded.writeParquet(filesDir, {
          ...upload,
          cluster: null,
          targetBytesPerFile: Math.min(fileSize ?? 256 * 1024 ** 2, MAX_FILE_BYTES),
        });
      });
      const files = written.returns.map((file) => ({
        path: file.path.slice(`s3://${bucket}/`.length),
        rows: file.rows,
        bytes: file.bytes,
        sha256: file.sha256,
      }));
      await manifests.update((m) => ({ ...m, files }));
    }
    const files = manifests.current.files ?? [];
    const groups = jobGroups(files, filesPerJob ?? MAX_FILES_PER_JOB);
    const jobs = await fromItems(groups.map((group, index) => ({ index, group })))
      .map((item) => runJob(client, calls, manifests, partition ?? null, item.index, item.group, pollMs ?? 2000), {
        name: `MilvusImport(${collection})`,
        concurrency: jobsInFlight ?? 2,
      })
      // The jobs are calls this process makes and waits for, in cluster mode too.
      .takeAll({ ...execution, cluster: null })
      // The operator wraps what its function threw; a failed job is the user's error as it is.
      .catch((error: unknown) => {
        throw error instanceof UdfError && error.cause instanceof ImportJobError ? error.cause : error;
      });
    jobs.sort((a, b) => a.index - b.index);
    return {
      runId,
      collection,
      files,
      jobs: jobs.map(({ jobId, files: jobFiles, rows }) => ({ jobId, files: jobFiles, rows })),
      rows: jobs.reduce((sum, job) => sum + job.rows, 0),
      resumedUpload,
    };
  } finally {
    await client.closeConnection();
  }
}

/** One import request, from where the manifest says it stands: submitted once, then polled to its end. */
async function runJob(
  client: ImportClient,
  calls: ResolvedSinkOptions,
  manifests: ManifestWriter,
  partition: string | null,
  index: number,
  files: readonly string[],
  pollMs: number,
): Promise<{ index: number; jobId: string; files: readonly string[]; rows: number }> {
  const { collection } = calls;
  let job: ManifestJob | undefined = manifests.current.jobs[index];
  if (job?.state === 'completed' && job.jobId !== null) return { index, jobId: job.jobId, files, rows: job.rows };
  if (job?.state === 'submitting')
    throw new ImportResumeError(
      `run ${manifests.current.runId} stopped while submitting files ${files[0]}… as an import job into '${collection}', ` +
        'before Milvus gave it an id: it may have been imported. Check `listImportTasks` for the collection, then rerun with a new runId if it was not',
    );
  if (job === undefined || job.jobId === null || job.state === 'failed') {
    // Recorded before the request: a crash from here on is seen by a rerun, which then does not submit these files again.
    await manifests.setJob(index, { files, jobId: null, state: 'submitting', rows: 0 });
    const jobId = await submitImport(client, calls, partition, files);
    job = { files, jobId, state: 'running', rows: 0 };
    await manifests.setJob(index, job);
  }
  const jobId = job.jobId!;
  try {
    const done = await waitForImport(client, calls, { jobId, files }, { pollMs });
    await manifests.setJob(index, { files, jobId, state: 'completed', rows: done.rows });
    return { index, jobId, files, rows: done.rows };
  } catch (error) {
    if (error instanceof ImportJobError) await manifests.setJob(index, { files, jobId, state: 'failed', rows: 0, reason: error.reason });
    throw error;
  }
}

/** The manifest, rewritten in the bucket after every change, one write at a time. */
class ManifestWriter {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ObjectStore,
    private readonly dir: string,
    public current: ImportManifest,
  ) {}

  update(change: (manifest: ImportManifest) => ImportManifest): Promise<void> {
    this.current = change(this.current);
    const snapshot = this.current;
    this.writing = this.writing.then(() => saveManifest(this.store, this.dir, snapshot));
    return this.writing;
  }

  setJob(index: number, job: ManifestJob): Promise<void> {
    return this.update((m) => {
      const jobs = [...m.jobs];
      jobs[index] = job;
      return { ...m, jobs };
    });
  }
}

/** The import's own options, checked before anything runs (the execution options are checked by the write). */
function checkImportOptions(options: BulkImportOptions): void {
  if (typeof options.storage?.bucket !== 'string' || options.storage.bucket === '')
    throw new InvalidOptionError(
      'storage.bucket',
      options.storage?.bucket,
      "the bucket Milvus imports from (its MinIO or S3 bucket, such as 'a-bucket')",
    );
  const positive: [string, number | undefined][] = [
    ['fileSize', options.fileSize],
    ['filesPerJob', options.filesPerJob],
    ['jobsInFlight', options.jobsInFlight],
    ['pollMs', options.pollMs],
  ];
  for (const [name, value] of positive)
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new InvalidOptionError(name, value, 'a whole number above 0');
  if (options.filesPerJob !== undefined && options.filesPerJob > MAX_FILES_PER_JOB)
    throw new InvalidOptionError(
      'filesPerJob',
      options.filesPerJob,
      `at most ${MAX_FILES_PER_JOB} (Milvus's limit of files per import request)`,
    );
}
