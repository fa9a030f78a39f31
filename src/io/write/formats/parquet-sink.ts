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

/** A Parquet file of the block (parquet-wasm: Arrow IPC in, Parquet bytes out). */
export function encodeParquet(block: Block, encoding: ParquetEncoding): Uint8Array {
  let builder = new WriterPropertiesBuilder().setCompression(CODECS[encoding.compression]);
  if (encoding.rowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(encoding.rowGroupSize);
  // writeParquet consumes (frees) the WebAssembly table and the properties. blockToIpc writes one buffer of the exact size.
  return writeParquet(WasmTable.fromIPCStream(new Uint8Array(blockToIpc(block))), builder.build());
}

export const writeParquetFiles = fileWriter('parquet', encodeParquet);
