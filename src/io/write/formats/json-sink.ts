import type { Block } from '../../../blocks/block.js';
import { columnValues } from '../../../blocks/read-values.js';
import { fileWriter } from '../file-sink.js';
import { jsonValue } from './json-value.js';

/** JSON Lines: one object per row, keys in column order, nulls written as null. */
export function encodeJsonLines(block: Block): Uint8Array {
  const keys = block.schema.fields.map((f) => `${JSON.stringify(f.name)}:`);
  const columns = keys.map((_, i) => columnValues(block.getChildAt(i)!));
  let text = '';
  for (let r = 0; r < block.numRows; r++) {
    let line = '{';
    for (let c = 0; c < keys.length; c++) line += `${c ? ',' : ''}${keys[c]}${jsonValue(columns[c][r])}`;
    text += `${line}}\n`;
  }
  return Buffer.from(text, 'utf8');
}

export const writeJsonFiles = fileWriter('json', encodeJsonLines);
