import type { Row } from '../blocks/block.js';

/**
 * An aggregation over the rows of a group, in the accumulate/merge/finalize shape that lets
 * partial results be combined (as Ray Data's AggregateFn). `name` is the output column.
 */
export interface AggregateFn<A = unknown, R = unknown> {
  readonly name: string;
  /**
   * The input columns it reads, checked against the first block so that a misspelled one fails
   * instead of aggregating nulls. Optional: an AggregateFn without it is not checked.
   */
  readonly columns?: readonly string[];
  init(): A;
  accumulate(acc: A, row: Row): A;
  merge(a: A, b: A): A;
  finalize(acc: A): R;
}
