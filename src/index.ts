export { Dataset, type IterBatchesOptions } from './api/dataset.js';
export { GroupedDataset } from './api/grouped-dataset.js';
export { range, fromItems, fromAsyncIterable, fromArrow, type ItemRow } from './api/create.js';
export { udf, type UdfRef } from './api/udf.js';
export { configure, type ExecutionOptions, type ExecutionSettings } from './api/settings.js';
export type { MapOptions, MapBatchesOptions } from './api/map-options.js';
export { count, sum, mean, min, max, std, type AggregateFn } from './api/aggregate.js';
export type { Row, ColumnOf, ColumnsOf, BatchResult, UdfLike } from './api/types.js';
export type { BatchFormat } from './blocks/batch-format.js';
export type { Columns, TypedArray } from './blocks/columns.js';
export { DatasetStats, type OperatorStats } from './observe/stats.js';
export {
  SluiceError,
  InvalidOptionError,
  UdfPlacementError,
  SchemaError,
  UdfError,
  WorkerCrashError,
  UdfResolveError,
  CancelledError,
  type InputLocation,
} from './errors.js';
