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
    const table = await file.read({
      ...(fragment.kind === 'rowGroup' ? { rowGroups: [fragment.rowGroup] } : {}),
      ...(fileColumns ? { columns: [...fileColumns] } : {}),
      // A range of rows is read by the pages that hold it (the file's offset index says which),
      // into one batch rather than parquet-wasm's default of a batch per 1,024 rows.
      ...(rows ? { offset: rows.offset, batchSize: rows.length } : {}),
      ...(limit !== Infinity ? { limit } : {}),
    });
    const block = blockFromWasm(table);
    return fileColumns ? block.select([...fileColumns]) : block;
  } finally {
    file.free();
  }
};

/** A missing column is the user's to fix, with the file's columns in the message (parquet-wasm's own error names neither). */
function checkColumns(file: ParquetFile, columns: readonly string[], operator: string, path: string): void {
  const names = tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name);
  const missing = columns.filter((c) => !names.includes(c));
  if (missing.length) {
    throw fileError(operator, { path }, missingColumnsProblem(missing, names, ' in the file'), 'ask for columns the file has');
  }
}
