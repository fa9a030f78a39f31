import { Schema } from 'apache-arrow';
import { checkKnownOptions, InvalidOptionError } from '../errors.js';
import { readOperatorName, schemaToIpc, type FileFormat, type FilesSpec, type ModuleFormat } from '../io/read/index.js';
import { checkStorageOptions, type StorageOptions } from '../io/storage/index.js';
import { logical, type Compute, type ReadTransform } from '../plan/logical.js';
import type { OnError } from '../tasks/transform.js';
import { Dataset } from './dataset.js';
import { DEFAULT_MAX_RETRIES, positiveInteger } from './map-options.js';
import type { Row } from './types.js';

/** A file, a directory (read recursively), a glob, or an array of them; local, or on S3 (`s3://bucket/prefix`). */
export type Paths = string | readonly string[];

/** Options every reader takes. */
export interface ReadOptions {
  /** 'skip' drops bad records (JSON Lines, CSV) and unreadable files, logs them to `errorLog`, and goes on. Default 'fail'. */
  onError?: OnError;
  /** Adds a `path` column with each row's file (Ray's `include_paths`). Default false. */
  includePaths?: boolean;
  /** Reads only files with these extensions (no dot) from directories and globs. Default: every file. */
  fileExtensions?: readonly string[];
  /** Most read tasks running at once. Default: one per CPU slot, plus one. */
  concurrency?: number;
  /**
   * Milliseconds reading one file (or part of one) may take: past it the file fails with a
   * FileReadError, or is skipped under `onError: 'skip'`. A worker stuck without yielding is
   * ended (and replaced) once its task's files' limits have passed. Default: no limit.
   */
  timeoutMs?: number;
  /** How `s3://` paths are reached: endpoint, region, path style, credentials. Default: the AWS environment and config (README, "Object storage"). */
  storage?: StorageOptions;
}

export interface ReadParquetOptions extends ReadOptions {
  /** Columns to read; the others are never read from disk. */
  columns?: readonly string[];
}

export interface ReadJsonOptions extends ReadOptions {
  /** Column types (fields not in it are dropped); default: inferred from the records. */
  schema?: Schema;
  /** Bytes of a JSON Lines file per read task (aligned to lines). Default 32 MiB. */
  fragmentBytes?: number;
}

export interface ReadCsvOptions extends ReadOptions {
  /** Column types (header columns not in it are dropped); default: inferred per column (numbers, booleans, strings). */
  schema?: Schema;
  /** Columns to keep. */
  columns?: readonly string[];
  /** Field delimiter. Default ','. */
  delimiter?: string;
}

export interface ReadTextOptions extends ReadOptions {
  /** Bytes of a file per read task (aligned to lines). Default 32 MiB. */
  fragmentBytes?: number;
  /** Whether empty lines are left out, as in Ray's read_text. Default true. */
  dropEmptyLines?: boolean;
}

export type ReadBinaryOptions = Omit<ReadOptions, 'includePaths'>;

/** A row type with the `path` column that `includePaths: true` adds. */
export type WithPath<T, O> = O extends { includePaths: true } ? T & { path: string } : T;

const DEFAULT_FRAGMENT_BYTES = 32 * 1024 * 1024;
const COMMON = ['onError', 'includePaths', 'fileExtensions', 'concurrency', 'timeoutMs', 'storage'];

/** Parquet files, read a row group per task. Give the row type to have it: `readParquet<{id: bigint}>(dir)`. */
export function readParquet<T extends object = Row>(paths: Paths, options: ReadParquetOptions = {}): Dataset<T> {
  checkKnown('readParquet', options, ['columns']);
  return readFiles('parquet', paths, options, { columns: columnList(options.columns) });
}

/** JSON Lines files (read by byte ranges) and files holding a top-level array of objects (read whole). */
export function readJson<T extends object = Row>(paths: Paths, options: ReadJsonOptions = {}): Dataset<T> {
  checkKnown('readJson', options, ['schema', 'fragmentBytes']);
  return readFiles('json', paths, options, { schema: schemaOption(options.schema), fragmentBytes: options.fragmentBytes });
}

/** CSV files with a header row, a file per task. */
export function readCsv<T extends object = Row>(paths: Paths, options: ReadCsvOptions = {}): Dataset<T> {
  checkKnown('readCsv', options, ['schema', 'columns', 'delimiter']);
  if (options.delimiter !== undefined && !(typeof options.delimiter === 'string' && options.delimiter.length > 0)) {
    throw new InvalidOptionError('delimiter', options.delimiter, 'a non-empty string');
  }
  return readFiles('csv', paths, options, {
    schema: schemaOption(options.schema),
    columns: columnList(options.columns),
    delimiter: options.delimiter,
  });
}

/** A row `{text}` per line of text files. */
export function readText<const O extends ReadTextOptions = ReadTextOptions>(
  paths: Paths,
  options?: O,
): Dataset<WithPath<{ text: string }, O>> {
  const given: ReadTextOptions = options ?? {};
  checkKnown('readText', given, ['fragmentBytes', 'dropEmptyLines']);
  if (given.dropEmptyLines !== undefined && typeof given.dropEmptyLines !== 'boolean')
    throw new InvalidOptionError('dropEmptyLines', given.dropEmptyLines, 'true or false');
  return readFiles('text', paths, given, { fragmentBytes: given.fragmentBytes, dropEmptyLines: given.dropEmptyLines });
}

/** A row `{path, bytes}` per file. */
export function readBinaryFiles(paths: Paths, options: ReadBinaryOptions = {}): Dataset<{ path: string; bytes: Uint8Array }> {
  checkKnown('readBinaryFiles', options, [], ['includePaths']);
  return readFiles('binary', paths, options, {});
}

interface FormatOptions {
  readonly columns?: readonly string[];
  readonly schema?: Uint8Array;
  readonly fragmentBytes?: number;
  readonly delimiter?: string;
  readonly dropEmptyLines?: boolean;
}

/**
 * Files of a format that a connector adds (how `readPdfs` reads): `format` names the module
 * export (a FileFormatModule) that plans each file's parts on the main thread and reads them
 * on the task pool, and carries its options as plain data. `formatOptions` are the names of
 * the connector's own options (taken out of `options` already), listed when an unknown one is refused.
 */
export function readFormat<T extends object = Row>(
  format: Omit<ModuleFormat, 'kind'>,
  paths: Paths,
  options: ReadOptions = {},
  formatOptions: readonly string[] = [],
): Dataset<T> {
  checkKnown(format.operator, options, formatOptions, ['includePaths']);
  if (format.streaming !== undefined) positiveInteger(`${format.operator} streaming.cpus`, format.streaming.cpus);
  return readFiles({ kind: 'module', ...format }, paths, options, {});
}

/** A files source (listing and fragments, on the main thread) followed by a read step on the task pool. */
function readFiles<T extends object>(format: FileFormat, paths: Paths, options: ReadOptions, extra: FormatOptions): Dataset<T> {
  const list = pathList(paths);
  if (options.onError !== undefined && options.onError !== 'fail' && options.onError !== 'skip')
    throw new InvalidOptionError('onError', options.onError, "'fail' or 'skip'");
  if (options.includePaths !== undefined && typeof options.includePaths !== 'boolean')
    throw new InvalidOptionError('includePaths', options.includePaths, 'true or false');
  const storage = checkStorageOptions(options.storage);
  const spec: FilesSpec = {
    kind: 'files',
    format,
    paths: list,
    fileExtensions:
      options.fileExtensions === undefined
        ? undefined
        : stringList('fileExtensions', options.fileExtensions).map((e) => e.replace(/^\./, '')),
    fragmentBytes: extra.fragmentBytes === undefined ? DEFAULT_FRAGMENT_BYTES : positiveInteger('fragmentBytes', extra.fragmentBytes),
    storage,
  };
  const read: ReadTransform = {
    op: 'read',
    name: readOperatorName(format, extra.columns, undefined),
    format,
    onError: options.onError ?? 'fail',
    columns: extra.columns,
    limit: undefined,
    timeoutMs: options.timeoutMs === undefined ? undefined : positiveInteger('timeoutMs', options.timeoutMs),
    fragmentsPerTask: typeof format === 'string' ? 1 : positiveInteger('fragmentsPerTask', format.fragmentsPerTask ?? 1),
    interleaveFragments: typeof format === 'string' || interleave(format.interleaveFragments),
    options: {
      includePaths: options.includePaths ?? false,
      schemaIpc: extra.schema,
      delimiter: extra.delimiter ?? ',',
      dropEmptyLines: extra.dropEmptyLines ?? true,
      storage,
    },
  };
  const concurrency = options.concurrency === undefined ? undefined : positiveInteger('concurrency', options.concurrency);
  const source = logical.source(`ListFiles(${list.length === 1 ? list[0] : `${list.length} paths`})`, spec);
  // A streaming format runs on the main thread, driving processes that hold the CPU slots (see plan/plan-read.ts).
  const streaming = typeof format !== 'string' && format.streaming !== undefined;
  const compute: Compute = streaming ? { kind: 'main', concurrency: concurrency ?? Infinity } : { kind: 'tasks', numCpus: 1, concurrency };
  return new Dataset<T>(logical.map(source, read, compute, { maxRetries: DEFAULT_MAX_RETRIES, retryExceptions: false }));
}

function interleave(value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new InvalidOptionError('interleaveFragments', value, 'true or false');
  return value !== false;
}

function pathList(paths: Paths): string[] {
  const list = typeof paths === 'string' ? [paths] : Array.isArray(paths) ? [...(paths as readonly unknown[])] : null;
  if (list === null || list.length === 0 || !list.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new InvalidOptionError('paths', paths, 'a file, a directory, a glob, or a non-empty array of them');
  }
  return list as string[];
}

function columnList(columns: readonly string[] | undefined): readonly string[] | undefined {
  return columns === undefined ? undefined : Object.freeze(stringList('columns', columns));
}

function stringList(option: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new InvalidOptionError(option, value, 'a non-empty array of names');
  }
  return [...(value as string[])];
}

function schemaOption(schema: Schema | undefined): Uint8Array | undefined {
  if (schema === undefined) return undefined;
  if (!(schema instanceof Schema)) throw new InvalidOptionError('schema', schema, 'an apache-arrow Schema');
  return schemaToIpc(schema);
}

/** Refuses unknown options (and those that mean nothing for this reader) by name. */
function checkKnown(reader: string, options: object, own: readonly string[], refused: readonly string[] = []): void {
  checkKnownOptions(reader, options, [...COMMON.filter((k) => !refused.includes(k)), ...own]);
}
