export { milvusSink, MilvusSink, type MilvusWriteReturn, type MilvusWriteSummary } from './sink/milvus-sink.js';
export { DEFAULT_BATCH_BYTES, type MilvusSinkOptions, type MilvusRetryEvent } from './sink/sink-options.js';
export type { MilvusCollectionSpec, MilvusFieldSpec, MilvusIndexSpec, MilvusDataType } from './sink/collection-spec.js';
export { MilvusSchemaError, MilvusRequestError, MilvusPartialWriteError, type MilvusRowLocation } from './errors.js';
