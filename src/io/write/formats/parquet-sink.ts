import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';
import type { Block } from '../../../blocks/block.js';
import { blockToIpc } from '../../../blocks/ipc.js';
import { fileWriter } from '../file-sink.js';

export type ParquetCompression = 'snappy' | 'zstd' | 'none';

export interface ParquetEncoding {
  readonly compression: ParquetCompression;
  /** Most rows per row group; undefined keeps parquet-wasm's default (1,048,576). */
  readonly rowGroupSize: number | undefined;
}

const CODECS: Readonly<Record<ParquetCompression, Compression>> = {
  snappy: Compression.SNAPPY,
  zstd: Compression.ZSTD,
  none: Compression.UNCOMPRESSED,
};

const DICTIONARY_PAGE_BYTES = 64 * 1024;

/** A Parquet file of the block (parquet-wasm: Arrow IPC in, Parquet bytes out). */
export function encodeParquet(block: Block, encoding: ParquetEncoding): Uint8Array {
  // Dictionary pages of at most 64 KiB: a column of few distinct values (paths, labels) keeps its
  // dictionary, and one of floats (embeddings) gives up on it early instead of after 1 MiB,
  // which halved the encode of 768-d vectors (bench/RESULTS.md, bench/milvus).
  let builder = new WriterPropertiesBuilder()
    .setCompression(CODECS[encoding.compression])
    .setDictionaryPageSizeLimit(DICTIONARY_PAGE_BYTES);
  if (encoding.rowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(encoding.rowGroupSize);
  // writeParquet consumes (frees) the WebAssembly table and the properties. blockToIpc writes one buffer of the exact size.
  return writeParquet(WasmTable.fromIPCStream(new Uint8Array(blockToIpc(block))), builder.build());
}

export const writeParquetFiles = fileWriter('parquet', encodeParquet);
