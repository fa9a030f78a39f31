import { logical, type LogicalNode } from '../plan/logical.js';
import { count, mean, sum, type AggregateFn } from './aggregate.js';
import type { Row } from './types.js';
import type { Dataset } from './dataset.js';

type NumericKey<T> = { [K in keyof T]: T[K] extends number | bigint | null | undefined ? K : never }[keyof T] & string;

/** Rows grouped by key columns; each aggregation returns a Dataset with one row per group, sorted by key. */
export class GroupedDataset<T extends object, K extends keyof T & string> {
  constructor(
    private readonly plan: LogicalNode,
    private readonly keys: readonly K[],
    private readonly wrap: <U extends object>(plan: LogicalNode) => Dataset<U>,
  ) {}

  count(): Dataset<Pick<T, K> & { 'count()': number }> {
    return this.aggregate(count());
  }

  sum<C extends NumericKey<T>>(column: C): Dataset<Pick<T, K> & { [P in `sum(${C})`]: number }> {
    return this.aggregate(sum(column));
  }

  mean<C extends NumericKey<T>>(column: C): Dataset<Pick<T, K> & { [P in `mean(${C})`]: number | null }> {
    return this.aggregate(mean(column));
  }

  /** Any number of aggregations (count(), sum(col), mean(col), min, max, std, or your own AggregateFn). */
  aggregate<R extends object = Row>(...aggs: AggregateFn[]): Dataset<Pick<T, K> & R> {
    const name = `Aggregate(${this.keys.join(', ')}: ${aggs.map((a) => a.name).join(', ')})`;
    return this.wrap(logical.allToAll(this.plan, name, { kind: 'aggregate', keys: this.keys, aggs }));
  }
}
