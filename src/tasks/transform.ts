import type { BatchFormat } from '../blocks/batch-format.js';
import type { FileFormat, FileReadOptions } from '../io/read/read-spec.js';

/**
 * A reference to user code: a local function (main thread) or a module export (any thread).
 * With `args` (plain data), the export is a factory and the function to run is what
 * `factory(...args)` returns.
 */
export type FnRef =
  | { readonly kind: 'local'; readonly fn: (...args: never[]) => unknown }
  | { readonly kind: 'module'; readonly moduleUrl: string; readonly exportName: string; readonly args?: readonly unknown[] };

export type OnError = 'fail' | 'skip';

/**
 * One row- or batch-level step of a map-like operator, as plain data: the same description
 * runs on the main thread or, when every FnRef is a module export, inside a worker.
 */
export type Transform =
  | { readonly op: 'map' | 'flatMap' | 'filter'; readonly name: string; readonly fn: FnRef; readonly onError: OnError }
  | {
      readonly op: 'mapBatches';
      readonly name: string;
      readonly fn: FnRef;
      readonly onError: OnError;
      readonly batchSize: number | undefined;
      readonly batchFormat: BatchFormat;
    }
  | { readonly op: 'addColumn'; readonly name: string; readonly column: string; readonly fn: FnRef; readonly onError: OnError }
  | { readonly op: 'selectColumns' | 'dropColumns'; readonly name: string; readonly columns: readonly string[] }
  | { readonly op: 'renameColumns'; readonly name: string; readonly mapping: Readonly<Record<string, string>> }
  | {
      /**
       * Writes its input out (files, on a worker) and outputs one row per thing written: `fn`
       * gets the block and a WriteTask carrying `args` (plain data) and the size limits, to
       * which the operator also cuts its input bundles.
       */
      readonly op: 'write';
      readonly name: string;
      readonly fn: FnRef;
      readonly args: Readonly<Record<string, unknown>>;
      readonly maxRows: number;
      readonly maxBytes: number;
    }
  | ReadTransform;

/**
 * Reads the fragments (file, byte range, row group) its input block describes, on a worker;
 * `columns` and `limit` are what the optimizer pushed into the read.
 */
export interface ReadTransform {
  readonly op: 'read';
  readonly name: string;
  readonly format: FileFormat;
  readonly onError: OnError;
  readonly columns: readonly string[] | undefined;
  /** Most rows one fragment yields (a limit above the read needs no more from any one task). */
  readonly limit: number | undefined;
  /** Per fragment: the worker gives up on a fragment read for longer; a task stuck past its fragments' limits is aborted. */
  readonly timeoutMs: number | undefined;
  /** Fragments per read task, read at once (see ModuleFormat.fragmentsPerTask). */
  readonly fragmentsPerTask: number;
  readonly options: FileReadOptions;
}

/** Whether a transform keeps one output row per input row (so a limit can move above it). */
export function isOneToOne(t: Transform): boolean {
  if (t.op === 'map' || t.op === 'addColumn') return t.onError === 'fail';
  return t.op === 'selectColumns' || t.op === 'dropColumns' || t.op === 'renameColumns';
}
