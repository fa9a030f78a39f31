import { tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import type { Block } from '../../../blocks/block.js';
import { fileError, missingColumnsProblem } from '../../../errors.js';
import type { ObjectStore } from '../../storage/index.js';
import type { FormatReader } from './format-reader.js';
import { taskStore } from './task-store.js';

/**
 * Opens a Parquet file through a Blob: parquet-wasm reads the byte ranges it needs (the
 * footer, then the column chunks asked for), never the whole file; on S3 each is a ranged GET.
 */
async function openParquet(store: ObjectStore, path: string): Promise<ParquetFile> {
  return ParquetFile.fromFile(await store.blob(path));
}

/** Row groups of a file, from its footer (on the main thread, when planning read tasks). */
export async function rowGroupCount(store: ObjectStore, path: string): Promise<number> {
  const file = await openParquet(store, path);
  try {
    return file.metadata().numRowGroups();
  } finally {
    file.free();
  }
}

/** Reads one row group (or, for a file whose footer could not be planned, the whole file) of the columns asked for. */
export const readParquetFragment: FormatReader = async (task) => {
  const { fragment, read, fileColumns } = task;
  const file = await openParquet(taskStore(task), fragment.path);
  try {
    if (fileColumns) checkColumns(file, fileColumns, read.name, fragment.path);
    const table = await file.read({
      ...(fragment.kind === 'rowGroup' ? { rowGroups: [fragment.rowGroup] } : {}),
      ...(fileColumns ? { columns: [...fileColumns] } : {}),
      ...(read.limit !== undefined ? { limit: read.limit } : {}),
    });
    const block: Block = tableFromIPC(table.intoIPCStream());
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
