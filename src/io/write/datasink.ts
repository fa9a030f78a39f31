import type { Table } from 'apache-arrow';
import type { BatchFormat } from '../../blocks/batch-format.js';
import type { Row } from '../../blocks/block.js';
import type { ColumnsOf } from '../../blocks/columns.js';
import type { DatasetStats } from '../../observe/stats.js';

/** Given to `Datasink.onWriteStart`. */
export interface SinkOnWorkers {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
}

export interface WriteStartContext {
  /** Unique per write: a UTC timestamp and a random part (`20261123T101530123Z-3f9a1c`). */
  readonly writeId: string;
}

/** Given to each `Datasink.write` call. */
export interface WriteContext extends WriteStartContext {
  /** Index of this batch within the write, from 0, in the order the batches were handed out. */
  readonly taskIndex: number;
}

/** The batch a sink with batch format `F` receives. */
export type SinkBatch<T, F extends BatchFormat> = F extends 'arrow' ? Table : F extends 'columns' ? ColumnsOf<T> : T[];

/**
 * Where `ds.write(sink)` sends rows: a database, a vector store, a service. The lifecycle
 * follows Ray Data's Datasink: `onWriteStart` once, `write` per batch (a few at once, on the
 * main thread, so `write` should be async I/O), then `onWriteComplete` with the results of
 * every `write`, or `onWriteFailed` with the error when anything failed (the job, a `write`,
 * or `onWriteStart`/`onWriteComplete` themselves).
 *
 * `F` is the batch format `write` receives; a sink that wants anything but rows declares it
 * in both places: `class S implements Datasink<Doc, void, 'arrow'> { batchFormat = 'arrow' as const; ... }`.
 */
export interface Datasink<T extends object = Row, R = unknown, F extends BatchFormat = 'rows'> {
  /** Shown in errors. Default: the class name, else 'Datasink'. */
  readonly name?: string;
  /** How `write` receives batches: 'rows' (objects, the default), 'columns' or 'arrow'. */
  readonly batchFormat?: F;
  /** Rows per `write` call, exact except for the last. Default: each block as it comes. */
  readonly rowsPerWrite?: number;
  /**
   * How a cluster worker makes this sink, for cluster mode: the export `exportName` of the
   * module at `moduleUrl`, called with `args` (plain data; no credential: a worker takes those
   * from its own environment), returns it. Without it, a write to the sink runs on one machine.
   */
  readonly onWorkers?: SinkOnWorkers;
  /**
   * Called once, while the plan starts (its pools, its first tasks): a slow start, such as a
   * connection or a collection to create, costs no time of the job's. No `write` comes before it
   * has finished, and if it fails the job stops.
   */
  onWriteStart?(ctx: WriteStartContext): void | Promise<void>;
  write(batch: SinkBatch<T, F>, ctx: WriteContext): R | Promise<R>;
  /**
   * For a sink whose `write` returns before the rows are stored (it gathers rows of several
   * calls into one request): resolves once everything given to `write` so far is stored, and
   * rejects if some of it failed. A write with a `runId` records a partition as done only after
   * this; a sink without it is taken to have stored a batch when its `write` resolved.
   */
  settled?(): Promise<void>;
  onWriteComplete?(result: WriteResult<R>): void | Promise<void>;
  /** Called once, with the error the write rejects with; the sink rolls back what it can here. */
  onWriteFailed?(error: Error): void | Promise<void>;
}

/** What a write did. */
export interface WriteResult<R = unknown> {
  readonly writeId: string;
  /** Rows written. */
  readonly rows: number;
  /** Bytes written: file sizes for file writes; Arrow bytes of the batches handed to a Datasink. */
  readonly bytes: number;
  /** What each `write` returned, by task index (for file writes, one entry per file). */
  readonly returns: readonly R[];
  /** Statistics of the run that produced the rows. */
  readonly stats: DatasetStats;
}

/** One committed file. */
export interface WrittenFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  /** SHA-256 of the file's bytes, hex: a manifest can tell a file it has from a changed one without reading it again. */
  readonly sha256: string;
}

/** What `writeParquet`, `writeJson` and `writeCsv` did: the committed files, sorted by name. */
export interface FileWriteResult extends WriteResult<WrittenFile> {
  readonly files: readonly string[];
}
