export { milvusSink, MilvusSink, type MilvusWriteReturn, type MilvusWriteSummary } from './sink/milvus-sink.js';
export { DEFAULT_BATCH_BYTES, type MilvusSinkOptions, type MilvusRetryEvent } from './sink/sink-options.js';
export type { MilvusCollectionSpec, MilvusFieldSpec, MilvusIndexSpec, MilvusDataType } from './sink/collection-spec.js';
export { MilvusSchemaError, MilvusRequestError, MilvusPartialWriteError, type MilvusRowLocation } from './errors.js';
export { bulkImportMilvus, MAX_FILES_PER_JOB, type BulkImportOptions, type BulkImportResult } from './import/bulk-import.js';
export type { ImportManifest, ManifestFile, ManifestJob, ManifestJobState } from './import/import-manifest.js';
export { ImportJobError, ImportRowsError, ImportResumeError } from './import/import-errors.js';
