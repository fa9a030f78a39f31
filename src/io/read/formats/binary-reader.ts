import { readFile } from 'node:fs/promises';
import { blockFromRows } from '../../../blocks/block.js';
import type { FormatReader } from './format-reader.js';

/** A file as one row `{path, bytes}`. */
export const readBinaryFragment: FormatReader = async ({ fragment }) => {
  const bytes = await readFile(fragment.path);
  return blockFromRows([{ path: fragment.path, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }]);
};
