/**
 * The worker functions of bench/core. They live in a module of their own: workers import
 * the module a UDF comes from, and this one runs no job at its top level.
 */
import { udf, type ColumnsOf } from '../src/index.js';
import { itersFromEnv, work } from './work.js';

/** One row in, one row out: `out` is the work done for the row's id. */
export function burnRow(row: { id: number }): { id: number; out: number } {
  return { id: row.id, out: work(row.id, itersFromEnv()) };
}

/** The same work over a batch of columns. */
export function burnBatch(batch: ColumnsOf<{ id: number }>): ColumnsOf<{ id: number; out: number }> {
  const iters = itersFromEnv();
  const out = new Uint32Array(batch.id.length);
  for (let i = 0; i < out.length; i++) out[i] = work(Number(batch.id[i]), iters);
  return { id: batch.id, out };
}

export const burnRowUdf = udf(import.meta.url, burnRow);
export const burnBatchUdf = udf(import.meta.url, burnBatch);
