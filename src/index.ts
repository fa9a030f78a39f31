export { Dataset, type IterBatchesOptions } from './api/dataset.js';
export { GroupedDataset } from './api/grouped-dataset.js';
export { range, fromItems, fromAsyncIterable, fromArrow, type ItemRow } from './api/create.js';
export { udf, boundUdf, type UdfRef } from './api/udf.js';
export { handOff } from './api/hand-off.js';
export { splitText, DEFAULT_SEPARATORS, type SplitTextOptions, type TextSpan } from './text/split-text.js';
export { chunkId, type ChunkKey } from './text/chunk-id.js';
export { chunkText, type ChunkTextOptions, type ChunkRow, type TextChunk, type TokenCounter } from './text/chunk-text.js';
export { getActorContext, type ActorContext } from './pools/actor-context.js';
export { configure, type DashboardSettings, type ExecutionOptions, type ExecutionSettings, type Shard } from './exec/settings.js';
export type { ClusterSettings } from './cluster/cluster-protocol.js';
export type {
  MapOptions,
  MapBatchesOptions,
  ActorPoolOptions,
  ActorMapOptions,
  ActorMapBatchesOptions,
  ConstructorArgsOption,
} from './api/map-options.js';
export {
  readParquet,
  readJson,
  readCsv,
  readText,
  readBinaryFiles,
  readFormat,
  type Paths,
  type ReadOptions,
  type ReadParquetOptions,
  type ReadJsonOptions,
  type ReadCsvOptions,
  type ReadTextOptions,
  type ReadBinaryOptions,
  type WithPath,
} from './api/read.js';
export type { FileFormatModule, FilePart, Fragment, ModuleFormat, PlanContext, ReadTask, StreamingFormatModule } from './io/read/index.js';
export { buildColumn } from './blocks/build-column.js';
export {
  objectStoreFor,
  readFileBytes,
  type BlockingFile,
  type ListedFile,
  type ObjectStore,
  type PathInfo,
  type StorageCredentials,
  type StorageOptions,
} from './io/storage/index.js';
export type { FileWriteOptions, ParquetWriteOptions, SinkWriteOptions } from './api/write-options.js';
export type {
  Datasink,
  SinkBatch,
  SinkOnWorkers,
  WriteContext,
  WriteStartContext,
  WriteResult,
  FileWriteResult,
  WrittenFile,
  ParquetCompression,
} from './io/write/index.js';
export { newWriteId } from './io/write/index.js';
export { count, sum, mean, min, max, std, type AggregateFn } from './api/aggregate.js';
export { seededRandom } from './exec/seeded-random.js';
export { InterruptedError, type InterruptSignal } from './exec/interrupt.js';
export type { Row, ColumnOf, ColumnsOf, BatchResult, UdfLike, ActorClass } from './api/types.js';
export type { BatchFormat } from './blocks/batch-format.js';
export type { Columns, TypedArray } from './blocks/columns.js';
export { DatasetStats, type OperatorStats, type DatasetStatsJson } from './observe/stats.js';
export { dashboardUrl } from './observe/dashboard/process-dashboard.js';
export { registerSecret } from './observe/redact.js';
export type {
  RunView,
  RunSummary,
  RunUpdate,
  RunSample,
  OperatorSample,
  PlanNodeView,
  LogEntry,
  StuckTaskView,
  ActorView,
  ClusterWorkerView,
  RunOutcome,
} from './observe/dashboard/client/run-view.js';
export {
  EventStream,
  type SluiceEvent,
  type SluiceEventType,
  type SluiceEventListener,
  type JobOutcome,
  type JobStartEvent,
  type JobEndEvent,
  type OperatorStartEvent,
  type OperatorEndEvent,
  type TaskRetryEvent,
  type WorkerReplacedEvent,
  type ActorStartEvent,
  type ActorRestartEvent,
  type ActorStopEvent,
  type TaskStuckEvent,
  type ActorStopReason,
  type RowSkippedEvent,
  type FileSkippedEvent,
} from './observe/events.js';
export type { UdfMiddleware, UdfCall, UdfOutcome } from './observe/middleware.js';
export type { ProgressMode } from './observe/progress-source.js';
export {
  SluiceError,
  InvalidOptionError,
  UdfPlacementError,
  SchemaError,
  UdfError,
  WorkerCrashError,
  TaskTimeoutError,
  UdfResolveError,
  CancelledError,
  FileReadError,
  WriteError,
  MiddlewareError,
  ActorError,
  ResourceError,
  ClusterError,
  UnpartitionedRunError,
  StallTimeoutError,
  type InputLocation,
  type RunningTask,
} from './errors.js';
