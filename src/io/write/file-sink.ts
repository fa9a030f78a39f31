import { createHash } from 'node:crypto';
import { blockFromRows, type Block } from '../../blocks/block.js';
import type { BlockTask } from '../../tasks/block-task.js';
import { objectStoreFor, type StorageOptions } from '../storage/index.js';
import { commitFile, committedName } from './atomic-file.js';
import type { WrittenFile } from './datasink.js';

export type WriteFormat = 'parquet' | 'json' | 'csv';

/** What a file write hands each task: plain data, since it crosses to worker threads. */
export interface FileSinkArgs {
  /** An absolute local directory, or an `s3://bucket/prefix`. */
  readonly dir: string;
  readonly writeId: string;
  /** How an `s3://` dir is reached. */
  readonly storage: StorageOptions | undefined;
  /** The format's own options (Parquet's compression and row groups). */
  readonly encoding: Readonly<Record<string, unknown>>;
}

/**
 * Where workers find each format's writer (a module export, as for a udf) and the
 * extension of its files. Workers import only the format they write: Parquet loads WebAssembly.
 */
export const WRITE_FORMATS: Readonly<
  Record<WriteFormat, { readonly extension: string; readonly moduleUrl: string; readonly exportName: string }>
> = {
  parquet: { extension: 'parquet', moduleUrl: new URL('./formats/parquet-sink.js', import.meta.url).href, exportName: 'writeParquetFiles' },
  json: { extension: 'jsonl', moduleUrl: new URL('./formats/json-sink.js', import.meta.url).href, exportName: 'writeJsonFiles' },
  csv: { extension: 'csv', moduleUrl: new URL('./formats/csv-sink.js', import.meta.url).href, exportName: 'writeCsvFiles' },
};

/**
 * A format's writer, run inside a task: encodes the task's block as one file and commits it
 * atomically (the operator cut its input bundles to the write's rows and bytes, see
 * BlocksTransform). Returns a block of one row, the WrittenFile.
 */
export function fileWriter<E>(format: WriteFormat, encode: (block: Block, encoding: E) => Uint8Array) {
  return async (block: Block, task: BlockTask<FileSinkArgs>): Promise<Block> => {
    const { dir, writeId, encoding, storage } = task.args;
    const bytes = encode(block, encoding as E);
    const name = committedName(writeId, task.taskIndex, 0, WRITE_FORMATS[format].extension);
    const file: WrittenFile = {
      path: await commitFile(objectStoreFor(dir, storage), dir, name, bytes),
      rows: block.numRows,
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    return blockFromRows([{ ...file }]);
  };
}
