import { blockFromRows, type Block } from '../../blocks/block.js';
import { SizeBundler } from '../../blocks/bundler.js';
import type { BlockTask } from '../../tasks/block-task.js';
import { commitFile, committedName } from './atomic-file.js';
import type { WrittenFile } from './datasink.js';

export type WriteFormat = 'parquet' | 'json' | 'csv';

/** What a file write hands each task: plain data, since it crosses to worker threads. */
export interface FileSinkArgs {
  readonly dir: string;
  readonly writeId: string;
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
 * A format's writer, run inside a task: cuts the task's block into files of at most the
 * task's rows and bytes (a block can outgrow them after a flatMap), encodes each and
 * commits it atomically. Returns a block of one row (a WrittenFile) per committed file.
 */
export function fileWriter<E>(format: WriteFormat, encode: (block: Block, encoding: E) => Uint8Array) {
  return async (block: Block, task: BlockTask<FileSinkArgs>): Promise<Block> => {
    const { dir, writeId, encoding } = task.args;
    const bundler = new SizeBundler(task.maxRows, task.maxBytes);
    const files: WrittenFile[] = [];
    for (const piece of [...bundler.add(block), ...bundler.flush()]) {
      const bytes = encode(piece, encoding as E);
      const name = committedName(writeId, task.taskIndex, files.length, WRITE_FORMATS[format].extension);
      files.push({ path: await commitFile(dir, name, bytes), rows: piece.numRows, bytes: bytes.byteLength });
    }
    return blockFromRows(files.map((file) => ({ ...file })));
  };
}
