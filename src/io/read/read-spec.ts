import type { OnError } from '../../tasks/transform.js';
import type { StorageOptions } from '../storage/index.js';

/** The file formats sluice reads, and the options a read step carries to a worker (plain, cloneable data). */
export type BuiltinFormat = 'parquet' | 'json' | 'csv' | 'text' | 'binary';

/**
 * A format a connector adds (readPdfs): the module at `moduleUrl` exports a FileFormatModule
 * under `exportName`, which workers import as they import UDFs; `args` (plain data) reach
 * its planning and reading.
 */
export interface ModuleFormat {
  readonly kind: 'module';
  /** The read operator's name in explain, stats, progress and errors, e.g. 'ReadPdfs'. */
  readonly operator: string;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** Fragments one read task reads: fewer, larger tasks. Default 1. */
  readonly fragmentsPerTask?: number;
  /**
   * How a task's fragments are read. True (default): at once, interleaved on its thread, for a
   * reader that waits between its steps (file reads, font loads), so that one fragment computes
   * while another waits. False: one after another, for a reader that computes without waiting,
   * whose interleaved fragments would only evict each other's state from the CPU's caches
   * (PDFium: 3% more pages/s).
   */
  readonly interleaveFragments?: boolean;
  /**
   * The module is a StreamingFormatModule: its parts stream on the main thread, each holding
   * `cpus` CPU slots while it runs (the threads of the process it drives).
   */
  readonly streaming?: { readonly cpus: number };
}

export type FileFormat = BuiltinFormat | ModuleFormat;

export interface FileReadOptions {
  /** Adds a `path` column holding each row's file (Ray's `include_paths`). */
  readonly includePaths: boolean;
  /** An explicit schema for JSON or CSV, as Arrow IPC bytes: a Schema object loses its class on the way to a worker. */
  readonly schemaIpc: Uint8Array | undefined;
  /** CSV field delimiter. */
  readonly delimiter: string;
  /** Text: whether empty lines become rows. */
  readonly dropEmptyLines: boolean;
  /** How `s3://` paths are reached (a format module reads its files through `readFileBytes(path, storage)`). */
  readonly storage: StorageOptions | undefined;
}

/**
 * A read step, as plain data: what the planner hands each read task (see plan/plan-read.ts)
 * with the fragments to read. `columns` and `limit` are what the optimizer pushed into it.
 */
export interface ReadSpec {
  /** The operator's name, with the pushed-down columns and limit (readOperatorName). */
  readonly name: string;
  readonly format: FileFormat;
  readonly onError: OnError;
  readonly columns: readonly string[] | undefined;
  /** Most rows one fragment yields (a limit above the read needs no more from any one task). */
  readonly limit: number | undefined;
  /** Per fragment: the worker gives up on a fragment read for longer; a task stuck past its fragments' limits is aborted. */
  readonly timeoutMs: number | undefined;
  /** Fragments per read task (see ModuleFormat.fragmentsPerTask). */
  readonly fragmentsPerTask: number;
  /** Whether a task reads its fragments at once or one after another (see ModuleFormat.interleaveFragments). */
  readonly interleaveFragments: boolean;
  readonly options: FileReadOptions;
}

const OPERATORS: Readonly<Record<BuiltinFormat, string>> = {
  parquet: 'ReadParquet',
  json: 'ReadJson',
  csv: 'ReadCsv',
  text: 'ReadText',
  binary: 'ReadBinary',
};

/** The operator name of a read step (shown in explain and stats), with the columns and limit pushed into it. */
export function readOperatorName(format: FileFormat, columns: readonly string[] | undefined, limit: number | undefined): string {
  const details = [columns ? `columns: ${columns.join(', ')}` : null, limit !== undefined ? `limit ${limit}` : null].filter(
    (d) => d !== null,
  );
  return details.length ? `${readOperator(format)}(${details.join('; ')})` : readOperator(format);
}

/** The bare operator name of a format, for errors raised before any read step runs. */
export function readOperator(format: FileFormat): string {
  return typeof format === 'string' ? OPERATORS[format] : format.operator;
}
