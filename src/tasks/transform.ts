import type { BatchFormat } from '../blocks/batch-format.js';
import type { ColumnTypeName } from '../blocks/column-types.js';

/**
 * A reference to user code: a local function (main thread) or a module export (any thread).
 * With `args` (plain data), the export is a factory and the function to run is what
 * `factory(...args)` returns.
 */
export type FnRef =
  | { readonly kind: 'local'; readonly fn: (...args: never[]) => unknown }
  | { readonly kind: 'module'; readonly moduleUrl: string; readonly exportName: string; readonly args?: readonly unknown[] };

export type ModuleRef = Extract<FnRef, { kind: 'module' }>;

export type OnError = 'fail' | 'skip';

/**
 * One row- or batch-level step of a map-like operator, as plain data: the same description
 * runs on the main thread or, when every FnRef is a module export, inside a worker. The
 * worker runtime knows these steps only; reads and writes are 'blocks' steps whose
 * functions the planner names (see plan/plan-read.ts), so it never imports file code.
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
  /** Declared column types (a `types` option), cast without losing a value (see blocks/column-types.ts). */
  | { readonly op: 'castColumns'; readonly name: string; readonly types: Readonly<Record<string, ColumnTypeName>> }
  | BlocksTransform;

/**
 * A function over a task's whole block, given a BlockTask (its index, `args`, a way to skip
 * inputs): how a read turns fragment rows into data and how a write
 * turns data into one row per file written.
 */
export interface BlocksTransform {
  readonly op: 'blocks';
  readonly name: string;
  readonly fn: FnRef;
  /** Plain data handed to every call (it crosses to workers). */
  readonly args: unknown;
  readonly onError: OnError;
  /** Most rows and (Arrow) bytes per task, to which the operator cuts its input bundles. */
  readonly maxRows: number;
  readonly maxBytes: number;
  /**
   * A task of n input rows is given n times this to answer, plus a grace; past it the task is
   * aborted, which ends its worker (one stuck without yielding cannot be interrupted from
   * inside), and its inputs fail or are skipped. Undefined: no limit.
   */
  readonly timeoutMsPerRow: number | undefined;
  /** 'files': each input row stands for a file, named by its `path` column; what is skipped or timed out is that file. */
  readonly inputs: 'rows' | 'files';
  /**
   * 'files' (a write): each output row stands for a file written, its `rows` column the rows
   * the file holds; the operator's stats count those rows as rows out and the files as files
   * out. Default 'rows'.
   */
  readonly outputs?: 'rows' | 'files';
  /**
   * A write with a run id: each file holds one read task's rows (a partition) and is named by
   * that task's index, the same on every run of the same input. The write runs in its read's
   * tasks where it can (fused, whatever its targets), else the operators between keep the
   * partitions apart (see exec/partition-chain.ts). `runKey` is drawn when the run starts and
   * kept by a resume: it tells a resumed run's cluster jobs from an earlier run's of the same id.
   */
  readonly partitioned?: { readonly runId: string; readonly runKey: string };
  /**
   * A resumed write's partitions already done (mode 'resume'), by read task: the read runs none
   * of them and the write answers each with its recorded file rows instead (none for a
   * partition recorded without rows).
   */
  readonly doneTasks?: readonly { readonly task: number; readonly rows: readonly Record<string, unknown>[] }[];
  /**
   * The operator holds its input bundles to one schema, the first bundle's with these declared
   * types over it (see blocks/first-schema.ts): a write's files then share their columns and types.
   */
  readonly oneSchema?: Readonly<Record<string, ColumnTypeName>>;
  /**
   * The function returns an AsyncIterable of blocks instead of a block, and runs on the main
   * thread: it drives another process, which does the work (a streaming format's read). Each
   * task holds `cpus` CPU slots while it streams, and its blocks go downstream as they come.
   */
  readonly streams?: { readonly cpus: number };
}

/** Whether a chain's output rows stand for files written (its last step is a write): stats then count their rows and the files apart. */
export function outputsFiles(transforms: readonly Transform[]): boolean {
  const last = transforms.at(-1);
  return last?.op === 'blocks' && last.outputs === 'files';
}

/** Whether a step keeps one output row per input row (so a limit can move above it); any other step (a read) does not. */
export function isOneToOne(t: { readonly op: string; readonly onError?: OnError }): boolean {
  if (t.op === 'map' || t.op === 'addColumn') return t.onError === 'fail';
  return t.op === 'selectColumns' || t.op === 'dropColumns' || t.op === 'renameColumns' || t.op === 'castColumns';
}
