import { tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import { fileError, missingColumnsProblem } from '../../../errors.js';
import type { ObjectStore } from '../../storage/index.js';
import type { FormatReader } from './format-reader.js';
import { taskStore } from './task-store.js';
import { blockFromWasm } from './wasm-table.js';

/**
 * Opens a Parquet file through a Blob: parquet-wasm reads the byte ranges it needs (the
 * footer, then the column chunks asked for), never the whole file; on S3 each is a ranged GET.
 */
async function openParquet(store: ObjectStore, path: string): Promise<ParquetFile> {
  return ParquetFile.fromFile(await store.blob(path));
}

/** Reads one row group, or a range of its rows (or, for a file whose footer could not be planned, the whole file) of the columns asked for. */
export const readParquetFragment: FormatReader = async (task) => {
  const { fragment, read, fileColumns } = task;
  const file = await openParquet(taskStore(task), fragment.path);
  try {
    if (fileColumns) checkColumns(file, fileColumns, read.name, fragment.path);
    const rows = fragment.kind === 'rowGroup' ? fragment.rows : undefined;
    const limit = Math.min(rows?.length ?? Infinity, read.limit ?? Infinity);
    const rowGroup = fragment.kind === 'rowGroup' ? fragment.rowGroup : undefined;
    const table = await file.read({
      ...(rowGroup !== undefined ? { rowGroups: [rowGroup] } : {}),
      ...(fileColumns ? { columns: [...fileColumns] } : {}),
      // A range of rows is read by the pages that hold it (the file's offset index says which).
      ...(rows ? { offset: rows.offset } : {}),
      ...(limit !== Infinity ? { limit } : {}),
      batchSize: decodeBatchRows(file, rowGroup),
    });
    const block = blockFromWasm(table);
    return fileColumns ? block.select([...fileColumns]) : block;
  } finally {
    file.free();
  }
};

/**
 * Rows per batch that parquet-wasm decodes: about DECODE_BATCH_BYTES of the row group's data
 * (of the file's, for a whole file), and at least its default of 1,024. Its level and value
 * buffers then stay in cache: on bench/io's rows (1.7 KB, a 384-float vector) batches of
 * 1,024 rows decode ~8% faster than one batch of the task's 15,000. blockFromWasm copies
 * the batches out as one, so their number costs nothing after.
 */
function decodeBatchRows(file: ParquetFile, rowGroup: number | undefined): number {
  const metadata = file.metadata();
  const groups = rowGroup === undefined ? metadata.rowGroups() : [metadata.rowGroup(rowGroup)];
  let rows = 0;
  let bytes = 0;
  for (const group of groups) {
    rows += group.numRows();
    bytes += group.totalByteSize();
    group.free();
  }
  metadata.free();
  return Math.max(MIN_DECODE_BATCH_ROWS, bytes > 0 ? Math.floor((DECODE_BATCH_BYTES * rows) / bytes) : 0);
}

const DECODE_BATCH_BYTES = 1024 * 1024;
const MIN_DECODE_BATCH_ROWS = 1024;

/** A missing column is the user's to fix, with the file's columns in the message (parquet-wasm's own error names neither). */
function checkColumns(file: ParquetFile, columns: readonly string[], operator: string, path: string): void {
  const names = tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name);
  const missing = columns.filter((c) => !names.includes(c));
  if (missing.length) {
    throw fileError(operator, { path }, missingColumnsProblem(missing, names, ' in the file'), 'ask for columns the file has');
  }
}
