/**
 * The face of writing, for the floors above: the Datasink contract that sinks implement
 * (datasink.ts, the file sinks beside it), and the file writers a write's 'blocks' step runs
 * on workers (WRITE_FORMATS), committed atomically (atomic-file.ts).
 */
export { markComplete, newWriteId, removeWriteFiles, SUCCESS_MARKER, unmarkComplete } from './atomic-file.js';
export type {
  Datasink,
  FileWriteResult,
  SinkBatch,
  SinkOnWorkers,
  WriteContext,
  WriteResult,
  WriteStartContext,
  WrittenFile,
} from './datasink.js';
export { WORKER_SINK_STEP, type WorkerSinkArgs } from './worker-sink.js';
export { WRITE_FORMATS, type FileSinkArgs, type WriteFormat } from './file-sink.js';
export type { ParquetCompression, ParquetEncoding } from './formats/parquet-sink.js';
export {
  committedTasks,
  completeRun,
  dataFiles,
  missingPartitions,
  prepareRunRecords,
  recordCommitted,
  recordPartitions,
  runKeyOf,
  runRecorded,
  runWriteId,
  type CommittedTask,
} from './run-manifest.js';
