import type { Schema, Table } from 'apache-arrow';
import type { BatchFormat } from '../blocks/batch-format.js';
import type { Block } from '../blocks/block.js';
import { checkKnownOptions, InvalidOptionError } from '../errors.js';
import type { DatasetStats } from '../observe/stats.js';
import { explainPlan } from '../plan/explain.js';
import { logical, type AllToAllSpec, type LogicalNode } from '../plan/logical.js';
import { planJob } from '../plan/planner.js';
import type { Transform } from '../tasks/transform.js';
import * as consume from './consume.js';
import { GroupedDataset } from './grouped-dataset.js';
import {
  compileUdf,
  type CompiledUdf,
  DEFAULT_BATCH_SIZE,
  positiveInteger,
  type ActorMapBatchesOptions,
  type ActorMapOptions,
  type MapBatchesOptions,
  type MapOptions,
} from './map-options.js';
import { checkExecutionOptions, type ExecutionOptions } from '../exec/settings.js';
import type {
  ActorClass,
  AnyActorClass,
  AnyBatchResult,
  BatchOutput,
  BatchResult,
  ColumnsOf,
  MaybePromise,
  Row,
  RowFn,
  UdfLike,
} from './types.js';
import type { UdfRef } from './udf.js';
import type { Datasink, FileWriteResult, WriteResult } from '../io/write/index.js';
import * as write from './write.js';
import type { FileWriteOptions, ParquetWriteOptions, SinkWriteOptions } from './write-options.js';

type Key<T> = keyof T & string;
type Renamed<T, M> = { [K in keyof T as K extends keyof M ? (M[K] extends string ? M[K] : K) : K]: T[K] };
export type IterBatchesOptions = ExecutionOptions & { batchSize?: number | null; batchFormat?: BatchFormat };
/** iterBatches' own option names; the record's type keeps them in step with IterBatchesOptions. */
const ITER_BATCHES_OPTIONS: Record<Exclude<keyof IterBatchesOptions, keyof ExecutionOptions>, true> = {
  batchSize: true,
  batchFormat: true,
};

/**
 * A lazy, immutable, typed dataset. Each transform returns a new Dataset holding a new
 * logical-plan node; nothing runs until a consuming call (take, count, iterRows, ...).
 */
export class Dataset<T extends object = Row> {
  private lastStats: DatasetStats | null = null;

  /** Use the creation functions (range, fromItems, ...) rather than this constructor. */
  constructor(readonly plan: LogicalNode) {}

  // ---- transforms -------------------------------------------------------------------------

  /** One output row per input row; with a class UDF, its actors' `call(row)` per row. */
  map<U extends object>(fn: UdfLike<RowFn<T, U>>, options?: MapOptions): Dataset<U>;
  map<U extends object, A extends unknown[]>(cls: UdfRef<ActorClass<A, RowFn<T, U>>>, options?: ActorMapOptions<A>): Dataset<U>;
  map<U extends object>(fn: UdfLike<RowFn<T, U>> | UdfRef<AnyActorClass>, options?: MapOptions | ActorMapOptions<unknown[]>): Dataset<U> {
    return this.withMap('map', 'Map', fn, options);
  }

  /** Zero or more output rows per input row. */
  flatMap<U extends object>(fn: UdfLike<RowFn<T, Iterable<U>>>, options?: MapOptions): Dataset<U> {
    return this.withMap('flatMap', 'FlatMap', fn, options);
  }

  /** The rows for which `fn` returns true. */
  filter(fn: UdfLike<RowFn<T, boolean>>, options?: MapOptions): Dataset<T> {
    return this.withMap('filter', 'Filter', fn, options);
  }

  /** A function over batches of `batchSize` rows, handed over as rows, columns or an Arrow table. */
  mapBatches<U extends object = never, R extends AnyBatchResult = BatchResult<U>>(
    fn: UdfLike<(batch: T[]) => MaybePromise<R>>,
    options?: MapBatchesOptions & { batchFormat?: 'rows' },
  ): Dataset<BatchOutput<U, R>>;
  mapBatches<U extends object = never, R extends AnyBatchResult = BatchResult<U>>(
    fn: UdfLike<(batch: ColumnsOf<T>) => MaybePromise<R>>,
    options: MapBatchesOptions & { batchFormat: 'columns' },
  ): Dataset<BatchOutput<U, R>>;
  mapBatches<U extends object = never, R extends AnyBatchResult = BatchResult<U>>(
    fn: UdfLike<(batch: Table) => MaybePromise<R>>,
    options: MapBatchesOptions & { batchFormat: 'arrow' },
  ): Dataset<BatchOutput<U, R>>;
  mapBatches<U extends object = never, A extends unknown[] = [], R extends AnyBatchResult = BatchResult<U>>(
    cls: UdfRef<ActorClass<A, (batch: T[]) => MaybePromise<R>>>,
    options?: ActorMapBatchesOptions<A> & { batchFormat?: 'rows' },
  ): Dataset<BatchOutput<U, R>>;
  mapBatches<U extends object = never, A extends unknown[] = [], R extends AnyBatchResult = BatchResult<U>>(
    cls: UdfRef<ActorClass<A, (batch: ColumnsOf<T>) => MaybePromise<R>>>,
    options: ActorMapBatchesOptions<A> & { batchFormat: 'columns' },
  ): Dataset<BatchOutput<U, R>>;
  mapBatches<U extends object = never, A extends unknown[] = [], R extends AnyBatchResult = BatchResult<U>>(
    cls: UdfRef<ActorClass<A, (batch: Table) => MaybePromise<R>>>,
    options: ActorMapBatchesOptions<A> & { batchFormat: 'arrow' },
  ): Dataset<BatchOutput<U, R>>;
  /** A class whose `call` takes more than one batch format, the format chosen at run time. */
  mapBatches<U extends object = never, A extends unknown[] = [], R extends AnyBatchResult = BatchResult<U>>(
    cls: UdfRef<ActorClass<A, (batch: never) => MaybePromise<R>>>,
    options: ActorMapBatchesOptions<A>,
  ): Dataset<BatchOutput<U, R>>;
  mapBatches<U extends object>(
    fn: UdfLike<(batch: never) => unknown> | UdfRef<AnyActorClass>,
    options: MapBatchesOptions | ActorMapBatchesOptions<unknown[]> = {},
  ): Dataset<U> {
    const compiled = compileUdf('MapBatches', fn, options);
    const batchSize = options.batchSize === null ? undefined : (options.batchSize ?? DEFAULT_BATCH_SIZE);
    const transform: Transform = {
      op: 'mapBatches',
      name: compiled.name,
      fn: compiled.fn,
      onError: compiled.onError,
      batchSize,
      batchFormat: options.batchFormat ?? 'rows',
    };
    return this.withUdf<U>(transform, compiled);
  }

  /** Adds (or replaces) a column computed from each row. */
  addColumn<K extends string, V>(column: K, fn: UdfLike<RowFn<T, V>>, options?: MapOptions): Dataset<Omit<T, K> & { [P in K]: V }> {
    const compiled = compileUdf('AddColumn', fn, { name: `AddColumn(${column})`, ...options });
    const transform: Transform = { op: 'addColumn', name: compiled.name, column, fn: compiled.fn, onError: compiled.onError };
    return this.withUdf(transform, compiled);
  }

  selectColumns<K extends Key<T>>(columns: readonly K[]): Dataset<Pick<T, K>> {
    return this.withColumns({ op: 'selectColumns', name: `SelectColumns(${columns.join(', ')})`, columns });
  }

  dropColumns<K extends Key<T>>(columns: readonly K[]): Dataset<Omit<T, K>> {
    return this.withColumns({ op: 'dropColumns', name: `DropColumns(${columns.join(', ')})`, columns });
  }

  // `const` keeps the new names as literal types, so the row type knows them.
  renameColumns<const M extends Partial<Record<Key<T>, string>>>(mapping: M): Dataset<Renamed<T, M>> {
    const clean = Object.fromEntries(Object.entries(mapping).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const label = Object.entries(clean)
      .map(([from, to]) => `${from}->${to}`)
      .join(', ');
    return this.withColumns({ op: 'renameColumns', name: `RenameColumns(${label})`, mapping: clean });
  }

  /** The first `n` rows; upstream work stops as soon as they are produced. */
  limit(n: number): Dataset<T> {
    if (!(Number.isInteger(n) && n >= 0)) throw new InvalidOptionError('limit', n, 'a whole number >= 0');
    return new Dataset(logical.limit(this.plan, n));
  }

  union(...others: Dataset<T>[]): Dataset<T> {
    return new Dataset(logical.union([this.plan, ...others.map((o) => o.plan)]));
  }

  repartition(numBlocks: number): Dataset<T> {
    return this.allToAll(`Repartition(${numBlocks})`, { kind: 'repartition', numBlocks: positiveInteger('repartition', numBlocks) });
  }

  randomShuffle(options: { seed?: number } = {}): Dataset<T> {
    checkKnownOptions('randomShuffle', options, ['seed']);
    if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new InvalidOptionError('seed', options.seed, 'a whole number');
    return this.allToAll('RandomShuffle', { kind: 'randomShuffle', seed: options.seed });
  }

  sort(key: Key<T> | readonly Key<T>[], options: { descending?: boolean } = {}): Dataset<T> {
    checkKnownOptions('sort', options, ['descending']);
    const keys = typeof key === 'string' ? [key] : [...key];
    return this.allToAll(`Sort(${keys.join(', ')}${options.descending ? ' desc' : ''})`, {
      kind: 'sort',
      keys,
      descending: options.descending ?? false,
    });
  }

  groupBy<K extends Key<T>>(key: K | readonly K[]): GroupedDataset<T, K> {
    const keys = typeof key === 'string' ? [key] : [...key];
    return new GroupedDataset<T, K>(this.plan, keys, (plan) => new Dataset(plan));
  }

  /** The distinct values of a column, one row each (in no particular order). */
  unique<K extends Key<T>>(column: K): Dataset<Pick<T, K>> {
    return this.allToAll(`Unique(${column})`, { kind: 'unique', column });
  }

  // ---- consumers --------------------------------------------------------------------------

  async take(n = 20, options?: ExecutionOptions): Promise<T[]> {
    checkExecutionOptions('take', options);
    return consume.collectRows<T>(this.executeFirst(n, options));
  }

  async takeAll(options?: ExecutionOptions): Promise<T[]> {
    checkExecutionOptions('takeAll', options);
    return consume.collectRows<T>(this.execute(options));
  }

  /** The first `n` rows as one batch in the given format. */
  takeBatch(n?: number, options?: ExecutionOptions & { batchFormat?: 'rows' }): Promise<T[]>;
  takeBatch(n: number, options: ExecutionOptions & { batchFormat: 'columns' }): Promise<ColumnsOf<T>>;
  takeBatch(n: number, options: ExecutionOptions & { batchFormat: 'arrow' }): Promise<Table>;
  async takeBatch(n = 20, options: ExecutionOptions & { batchFormat?: BatchFormat } = {}): Promise<unknown> {
    checkExecutionOptions('takeBatch', options, ['batchFormat']);
    const { batchFormat = 'rows', ...execution } = options;
    return consume.toBatch(await consume.collectTable(this.executeFirst(n, execution)), batchFormat);
  }

  /** Prints the first `n` rows, one JSON line each. */
  async show(n = 20, options?: ExecutionOptions): Promise<void> {
    checkExecutionOptions('show', options);
    for (const row of await this.take(n, options)) console.log(consume.formatRow(row));
  }

  async count(options?: ExecutionOptions): Promise<number> {
    checkExecutionOptions('count', options);
    let rows = 0;
    for await (const block of this.execute(options)) rows += block.numRows;
    return rows;
  }

  /**
   * The Arrow schema of the rows (runs the plan until the first non-empty block). A dataset
   * without rows has the schema its source gives (a Parquet file's), else none.
   */
  async schema(options?: ExecutionOptions): Promise<Schema> {
    checkExecutionOptions('schema', options);
    let empty: Schema | null = null;
    for await (const block of this.execute(options)) {
      if (block.numRows > 0) return block.schema;
      if (block.schema.fields.length > 0) empty ??= block.schema;
    }
    if (empty !== null) return empty;
    return (await consume.collectTable(this.limit(0).execute(options))).schema;
  }

  iterRows(options?: ExecutionOptions): AsyncIterable<T> {
    checkExecutionOptions('iterRows', options);
    return consume.iterRows<T>(this.execute(options));
  }

  iterBatches(options?: IterBatchesOptions & { batchFormat?: 'rows' }): AsyncIterable<T[]>;
  iterBatches(options: IterBatchesOptions & { batchFormat: 'columns' }): AsyncIterable<ColumnsOf<T>>;
  iterBatches(options: IterBatchesOptions & { batchFormat: 'arrow' }): AsyncIterable<Table>;
  iterBatches(options: IterBatchesOptions = {}): AsyncIterable<unknown> {
    checkExecutionOptions('iterBatches', options, Object.keys(ITER_BATCHES_OPTIONS));
    const { batchSize, batchFormat = 'rows', ...execution } = options;
    const size = batchSize === null ? undefined : positiveInteger('batchSize', batchSize ?? 256);
    return consume.iterBatches(this.execute(execution), size, batchFormat);
  }

  async toArrow(options?: ExecutionOptions): Promise<Table> {
    checkExecutionOptions('toArrow', options);
    return consume.collectTable(this.execute(options));
  }

  /** Runs the plan and keeps its blocks in memory: a dataset that later consumers reuse. */
  async materialize(options?: ExecutionOptions): Promise<Dataset<T>> {
    checkExecutionOptions('materialize', options);
    const blocks: Block[] = [];
    for await (const block of this.execute(options)) blocks.push(block);
    const materialized = new Dataset<T>(logical.source(`Materialized(${blocks.length} blocks)`, { kind: 'blocks', blocks }));
    materialized.lastStats = this.lastStats;
    return materialized;
  }

  /** Statistics of this dataset's last run; runs it first if it has not run. */
  async stats(options?: ExecutionOptions): Promise<DatasetStats> {
    checkExecutionOptions('stats', options);
    if (this.lastStats === null) await this.count(options);
    return this.lastStats!;
  }

  /** The logical plan, the optimized plan and the physical plan, printed and returned. */
  explain(): string {
    const text = explainPlan(planJob(this.plan));
    console.log(text);
    return text;
  }

  // ---- writes (consumers; all or nothing, see README "Writing files") ----------------------

  /** Writes Parquet files into `dir` (created if missing), on worker threads. */
  writeParquet(dir: string, options?: ParquetWriteOptions): Promise<FileWriteResult> {
    return write.writeFiles(this.plan, 'parquet', dir, options, (stats) => (this.lastStats = stats));
  }

  /** Writes JSON Lines files (`.jsonl`) into `dir` (created if missing), on worker threads. */
  writeJson(dir: string, options?: FileWriteOptions): Promise<FileWriteResult> {
    return write.writeFiles(this.plan, 'json', dir, options, (stats) => (this.lastStats = stats));
  }

  /** Writes CSV files with a header row into `dir` (created if missing), on worker threads. */
  writeCsv(dir: string, options?: FileWriteOptions): Promise<FileWriteResult> {
    return write.writeFiles(this.plan, 'csv', dir, options, (stats) => (this.lastStats = stats));
  }

  /** Writes the rows to a Datasink (a database, a vector store), calling its lifecycle methods. */
  write<R, F extends BatchFormat = 'rows'>(sink: Datasink<T, R, F>, options?: SinkWriteOptions): Promise<WriteResult<R>> {
    return write.writeToSink(this.plan, sink, options, (stats) => (this.lastStats = stats));
  }

  // ---- internals --------------------------------------------------------------------------

  private execute(options?: ExecutionOptions): AsyncGenerator<Block> {
    return consume.execute(this.plan, options, (stats) => (this.lastStats = stats));
  }

  /** Runs the plan under a limit of `n`, keeping the run's stats here: stats() after take() must not run everything. */
  private executeFirst(n: number, options?: ExecutionOptions): AsyncGenerator<Block> {
    return consume.execute(this.limit(n).plan, options, (stats) => (this.lastStats = stats));
  }

  private withMap<U extends object>(
    op: 'map' | 'flatMap' | 'filter',
    label: string,
    fn: UdfLike<(row: never) => unknown> | UdfRef<AnyActorClass>,
    options?: MapOptions | ActorMapOptions<unknown[]>,
  ): Dataset<U> {
    const compiled = compileUdf(label, fn, options);
    const transform: Transform = { op, name: compiled.name, fn: compiled.fn, onError: compiled.onError };
    return this.withUdf<U>(transform, compiled);
  }

  /** A UDF's step, then the casts of its `types` option. */
  private withUdf<U extends object>(transform: Transform, compiled: CompiledUdf): Dataset<U> {
    const mapped = new Dataset<U>(logical.map(this.plan, transform, compiled.compute, compiled.retry));
    if (compiled.types === undefined) return mapped;
    const label = Object.entries(compiled.types)
      .map(([column, type]) => `${column}: ${type}`)
      .join(', ');
    return mapped.withColumns({ op: 'castColumns', name: `CastColumns(${label})`, types: compiled.types });
  }

  private withColumns<U extends object>(transform: Transform): Dataset<U> {
    return new Dataset<U>(logical.map(this.plan, transform, { kind: 'any' }, { maxRetries: 0, retryExceptions: false }));
  }

  private allToAll<U extends object>(name: string, spec: AllToAllSpec): Dataset<U> {
    return new Dataset<U>(logical.allToAll(this.plan, name, spec));
  }
}
