import type { Schema } from 'apache-arrow';
import type { ColumnTypes } from '../blocks/column-types.js';
import { InvalidOptionError } from '../errors.js';
import type { StorageOptions } from '../io/storage/index.js';
import type { ParquetCompression, ParquetEncoding, WriteFormat } from '../io/write/index.js';
import { positiveInteger } from './map-options.js';
import { checkExecutionOptions, resolveSettings, type ExecutionOptions } from '../exec/settings.js';

/** Options of `writeJson` and `writeCsv` (and `writeParquet`); execution options may be given alongside. */
export interface FileWriteOptions extends ExecutionOptions {
  /** Most rows per file. Default: no limit (files are cut by bytes). */
  targetRowsPerFile?: number;
  /**
   * About this many bytes of data per file, counted as Arrow memory before encoding (Parquet
   * files are usually smaller on disk). A file is built in memory, about 4 times its size while
   * it is encoded, so this is at most 1/4 of `memoryBudget`. Default: 128 MiB, or 1/8 of
   * `memoryBudget` when that is less.
   */
  targetBytesPerFile?: number;
  /**
   * Column types of the files, over those of the write's first file: `{ page: 'int64' }`, by
   * name or as the Arrow type, or an Arrow Schema. Every file of a write has its first file's
   * columns and types (readers such as DuckDB expect that); later numbers are cast without loss,
   * and a value that would change (0.5 in an int32 column) is a SchemaError that names this option.
   */
  types?: ColumnTypes | Schema;
  /** How an `s3://` directory is reached: endpoint, region, path style, credentials. Default: the AWS environment and config. */
  storage?: StorageOptions;
  /**
   * A stable name for this write (letters, digits, `.`, `_`, `-`; default: `SLUICE_RUN_ID`, else
   * none). Its files are named by the run and by the read task they come from, each recorded
   * in `_sluice-runs/<runId>/` as it is committed, and a failed or killed run keeps what it
   * committed: `mode: 'resume'` with the same runId then writes only the rest.
   */
  runId?: string;
  /**
   * What to do with a directory that already holds files (Spark's save modes, and resume):
   * 'append' (default) adds this write's files; 'overwrite' removes the files that were there
   * once this write is complete; 'error' fails before anything runs; 'ignore' writes nothing
   * and returns an empty result; 'resume' (with runId) skips every read task whose file that run
   * committed and writes the rest.
   */
  mode?: WriteMode;
}

export type WriteMode = 'append' | 'overwrite' | 'error' | 'ignore' | 'resume';
const WRITE_MODES: readonly WriteMode[] = ['append', 'overwrite', 'error', 'ignore', 'resume'];
const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The write's run id (the option, else SLUICE_RUN_ID, else null) and mode, checked. */
export function writeRun(options: Pick<FileWriteOptions, 'runId' | 'mode'>): { runId: string | null; mode: WriteMode } {
  const mode = options.mode ?? 'append';
  if (!WRITE_MODES.includes(mode)) throw new InvalidOptionError('mode', mode, WRITE_MODES.map((m) => `'${m}'`).join(', '));
  const given = options.runId ?? (process.env.SLUICE_RUN_ID || undefined);
  if (given !== undefined && !(typeof given === 'string' && RUN_ID.test(given)))
    throw new InvalidOptionError('runId', given, 'a name of 1-64 letters, digits, dots, underscores or hyphens (it names the files)');
  if (mode === 'resume' && given === undefined)
    throw new InvalidOptionError('mode', mode, "'resume' with a runId (or SLUICE_RUN_ID): the run to finish");
  return { runId: given ?? null, mode };
}

export interface ParquetWriteOptions extends FileWriteOptions {
  /** Default 'snappy'. */
  compression?: ParquetCompression;
  /** Most rows per row group. Default: parquet-wasm's (1,048,576), so a file within the byte target is one row group. */
  rowGroupSize?: number;
}

/** Options of `write(sink)`; execution options may be given alongside. */
export interface SinkWriteOptions extends ExecutionOptions {
  /** `write` calls in flight at once (they run on the main thread: async I/O). Default 4. */
  concurrency?: number;
  /**
   * A stable name for this run (or SLUICE_RUN_ID): each read task's rows (a partition) reach the
   * sink as their own batches, and a partition is recorded once all of them were written, in
   * `runDir`. With `mode: 'resume'` a run started again skips the recorded partitions. The sink
   * should be idempotent (an upsert by id): a partition cut short by a crash is written again.
   */
  runId?: string;
  /** 'append' (default): a new run; 'resume' (with runId): go on with the run recorded in runDir. */
  mode?: Extract<WriteMode, 'append' | 'resume'>;
  /** Where the run's records go (`<runDir>/_sluice-runs/<runId>/`), a directory or s3:// prefix. Default: the working directory. */
  runDir?: string;
}

export const DEFAULT_TARGET_BYTES_PER_FILE = 128 * 1024 ** 2;
export const DEFAULT_SINK_CONCURRENCY = 4;

// Each write's own option names, besides the execution options; the records' types keep them in step with the interfaces.
type Own<O> = Record<Exclude<keyof O, keyof ExecutionOptions>, true>;
const FILE_OPTIONS: Own<FileWriteOptions> = {
  targetRowsPerFile: true,
  targetBytesPerFile: true,
  types: true,
  storage: true,
  runId: true,
  mode: true,
};
const PARQUET_OPTIONS: Own<ParquetWriteOptions> = { ...FILE_OPTIONS, compression: true, rowGroupSize: true };
const SINK_OPTIONS: Own<SinkWriteOptions> = { concurrency: true, runId: true, mode: true, runDir: true };
const WRITE_OPTIONS: Readonly<Record<WriteFormat, { method: string; own: object }>> = {
  parquet: { method: 'writeParquet', own: PARQUET_OPTIONS },
  json: { method: 'writeJson', own: FILE_OPTIONS },
  csv: { method: 'writeCsv', own: FILE_OPTIONS },
};

/** Refuses option names a file write does not take (a Parquet option given to writeCsv among them), before anything runs. */
export function checkFileWriteOptions(format: WriteFormat, options: object): void {
  const { method, own } = WRITE_OPTIONS[format];
  checkExecutionOptions(method, options, Object.keys(own));
}

/** Refuses option names `write(sink)` does not take, before the sink is started. */
export function checkSinkWriteOptions(options: object): void {
  checkExecutionOptions('write', options, Object.keys(SINK_OPTIONS));
}

export interface FileTargets {
  readonly maxRows: number;
  readonly maxBytes: number;
}

/**
 * Memory a file takes while it is written, in units of its data: the bundle, its copy in the
 * worker, the encoder's copy and the encoded bytes (exec's map operator reserves as much).
 */
const WRITE_COPIES = 4;

/** The file-size options, checked against the run's memory budget, and the rest: the execution options of the run. */
export function fileTargets(options: Omit<FileWriteOptions, 'types' | 'storage'>): { targets: FileTargets; execution: ExecutionOptions } {
  const { targetRowsPerFile, targetBytesPerFile, ...execution } = options;
  const { memoryBudget } = resolveSettings(execution);
  const maxRows = targetRowsPerFile === undefined ? Infinity : positiveInteger('targetRowsPerFile', targetRowsPerFile);
  if (targetBytesPerFile === undefined) {
    return { targets: { maxRows, maxBytes: Math.min(DEFAULT_TARGET_BYTES_PER_FILE, Math.floor(memoryBudget / 8)) }, execution };
  }
  if (!(typeof targetBytesPerFile === 'number' && targetBytesPerFile > 0))
    throw new InvalidOptionError('targetBytesPerFile', targetBytesPerFile, 'a number of bytes > 0');
  if (targetBytesPerFile * WRITE_COPIES > memoryBudget) {
    throw new InvalidOptionError(
      'targetBytesPerFile',
      targetBytesPerFile,
      `at most 1/${WRITE_COPIES} of memoryBudget (${memoryBudget} bytes): a file takes about ${WRITE_COPIES} times its size in memory ` +
        `while it is encoded; lower targetBytesPerFile or raise memoryBudget to ${targetBytesPerFile * WRITE_COPIES} or more`,
    );
  }
  return { targets: { maxRows, maxBytes: targetBytesPerFile }, execution };
}

export function parquetEncoding(options: ParquetWriteOptions): { encoding: ParquetEncoding; rest: FileWriteOptions } {
  const { compression = 'snappy', rowGroupSize, ...rest } = options;
  if (!['snappy', 'zstd', 'none'].includes(compression))
    throw new InvalidOptionError('compression', compression, "'snappy', 'zstd' or 'none'");
  return {
    encoding: { compression, rowGroupSize: rowGroupSize === undefined ? undefined : positiveInteger('rowGroupSize', rowGroupSize) },
    rest,
  };
}
