import type { Row } from '../blocks/block.js';
import type { AggregateFn } from '../plan/aggregate-fn.js';

export type { AggregateFn } from '../plan/aggregate-fn.js';

function numericColumn(row: Row, column: string, aggregate: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new TypeError(`${aggregate} needs numbers in column '${column}'; found ${typeof value}`);
}

export function count(): AggregateFn<number, number> {
  return { name: 'count()', columns: [], init: () => 0, accumulate: (acc) => acc + 1, merge: (a, b) => a + b, finalize: (acc) => acc };
}

export function sum(column: string): AggregateFn<number, number> {
  const name = `sum(${column})`;
  return {
    name,
    columns: [column],
    init: () => 0,
    accumulate: (acc, row) => acc + (numericColumn(row, column, name) ?? 0),
    merge: (a, b) => a + b,
    finalize: (acc) => acc,
  };
}

export function mean(column: string): AggregateFn<[number, number], number | null> {
  const name = `mean(${column})`;
  return {
    name,
    columns: [column],
    init: () => [0, 0],
    accumulate: ([total, n], row) => {
      const v = numericColumn(row, column, name);
      return v === null ? [total, n] : [total + v, n + 1];
    },
    merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
    finalize: ([total, n]) => (n === 0 ? null : total / n),
  };
}

function extreme(column: string, kind: 'min' | 'max'): AggregateFn<number | null, number | null> {
  const name = `${kind}(${column})`;
  const pick = kind === 'min' ? Math.min : Math.max;
  const combine = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : pick(a, b));
  return {
    name,
    columns: [column],
    init: () => null,
    accumulate: (acc, row) => combine(acc, numericColumn(row, column, name)),
    merge: combine,
    finalize: (acc) => acc,
  };
}

export const min = (column: string) => extreme(column, 'min');
export const max = (column: string) => extreme(column, 'max');

/** Sample standard deviation (ddof 1, as Ray Data's Std), by Welford's online algorithm. */
export function std(column: string): AggregateFn<[number, number, number], number | null> {
  const name = `std(${column})`;
  return {
    name,
    columns: [column],
    init: () => [0, 0, 0],
    accumulate: ([n, meanSoFar, m2], row) => {
      const v = numericColumn(row, column, name);
      if (v === null) return [n, meanSoFar, m2];
      const count = n + 1;
      const delta = v - meanSoFar;
      const nextMean = meanSoFar + delta / count;
      return [count, nextMean, m2 + delta * (v - nextMean)];
    },
    merge: ([na, ma, m2a], [nb, mb, m2b]) => {
      const n = na + nb;
      if (n === 0) return [0, 0, 0];
      const delta = mb - ma;
      return [n, ma + (delta * nb) / n, m2a + m2b + (delta * delta * na * nb) / n];
    },
    finalize: ([n, , m2]) => (n < 2 ? null : Math.sqrt(m2 / (n - 1))),
  };
}
