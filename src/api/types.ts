import type { RecordBatch, Table } from 'apache-arrow';
import type { Row } from '../blocks/block.js';
import type { Columns, ColumnsOf } from '../blocks/columns.js';
import type { UdfRef } from './udf.js';

/**
 * A row: an object of named values. Row type parameters are constrained to `object` so that
 * interfaces (which have no index signature) work as row types.
 */
export type { Row } from '../blocks/block.js';
export type { ColumnOf, ColumnsOf } from '../blocks/columns.js';

export type MaybePromise<T> = T | Promise<T>;

/** A function, or the same function marked with `udf(import.meta.url, fn)` to run on worker threads. */
export type UdfLike<F> = F | UdfRef<F>;

/** What a batch UDF may return: rows, an Arrow table or record batch, or columns. */
export type BatchResult<U> = U[] | ColumnsOf<U> | Table | RecordBatch | Columns;

/** Any batch UDF result: what a result type inferred from the UDF is constrained to. */
export type AnyBatchResult = readonly object[] | Table | RecordBatch | Columns;

/**
 * The row type of a batch UDF's result R: the rows' type, the columns' element types, and
 * `Row` for an Arrow Table or RecordBatch (its columns are only known at run time, as with
 * readParquet). Computed from R rather than inferred backwards into BatchResult<U>: from a
 * Table that inference matched the table's own properties as columns.
 */
export type RowOfBatchResult<R> = R extends Table | RecordBatch
  ? Row
  : R extends readonly (infer U extends object)[]
    ? U
    : { [K in keyof R]: R[K] extends ArrayLike<infer V> ? V : never };

/**
 * The output rows of mapBatches<U, ..., R>: U when given explicitly (its default, never,
 * marks it as not given), else the row type of the inferred result R.
 */
export type BatchOutput<U, R> = [U] extends [never] ? RowOfBatchResult<R> : U;

export type RowFn<T, U> = (row: T) => MaybePromise<U>;

/**
 * A class UDF, run on an actor pool (`udf(import.meta.url, SomeClass)`): each actor constructs
 * it once with `constructorArgs`, calls `call` per batch (per row for `map`), and `close()`
 * when the actor stops.
 */
export type ActorClass<A extends unknown[], F> = new (...args: A) => { call: F; close?(): void | Promise<void> };

/** Any actor class, whatever its constructor and call. */
export type AnyActorClass = ActorClass<never, (input: never) => unknown>;
