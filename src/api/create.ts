import { Table } from 'apache-arrow';
import { InvalidOptionError } from '../errors.js';
import { logical } from '../plan/logical.js';
import { Dataset } from './dataset.js';
import type { Row } from './types.js';

/** Rows `{id: 0}` … `{id: n - 1}`. */
export function range(n: number): Dataset<{ id: number }> {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new InvalidOptionError('range', n, 'a whole number >= 0');
  return new Dataset(logical.source(`Range(${n})`, { kind: 'range', n }));
}

/** The row an item becomes: an object is the row; arrays, bytes, dates and scalars become `{item: value}` (as isPlainRow decides). */
export type ItemRow<V> = V extends readonly unknown[] | ArrayBufferView | Date ? { item: V } : V extends object ? V : { item: V };

/** A dataset of the given rows (objects); other values become rows `{item: value}`, as in Ray Data. */
export function fromItems<V>(items: readonly V[]): Dataset<ItemRow<V>> {
  if (!Array.isArray(items)) throw new InvalidOptionError('fromItems', items, 'an array');
  const rows = items.map((item) => (isPlainRow(item) ? item : { item }));
  return new Dataset(logical.source(`FromItems(${rows.length})`, { kind: 'items', items: rows }));
}

/**
 * Rows from an async (or sync) iterable. Pass a function that returns the iterable to let
 * the dataset run more than once; a bare iterable can be consumed by one run only.
 */
export function fromAsyncIterable<T extends object>(
  source: AsyncIterable<T> | Iterable<T> | (() => AsyncIterable<T> | Iterable<T>),
): Dataset<T> {
  let used = false;
  const open =
    typeof source === 'function'
      ? source
      : () => {
          if (used)
            throw new InvalidOptionError(
              'fromAsyncIterable',
              'an iterable already consumed',
              'a function returning a fresh iterable to run the dataset again (or call materialize() first)',
            );
          used = true;
          return source;
        };
  return new Dataset(
    logical.source('FromAsyncIterable', { kind: 'asyncIterable', open: open as () => AsyncIterable<Row> | Iterable<Row> }),
  );
}

/** A dataset over an Arrow table (sliced into blocks without copying). */
export function fromArrow<T extends object = Row>(table: Table): Dataset<T> {
  if (!(table instanceof Table)) throw new InvalidOptionError('fromArrow', table, 'an apache-arrow Table');
  return new Dataset(logical.source(`FromArrow(${table.numRows})`, { kind: 'arrow', table }));
}

function isPlainRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof Date);
}
