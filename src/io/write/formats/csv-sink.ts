import { stringify } from 'csv-stringify/sync';
import type { Block } from '../../../blocks/block.js';
import { rowsOfBlock } from '../../../blocks/read-values.js';
import { fileWriter } from '../file-sink.js';
import { base64Of, jsonValue } from './json-value.js';

/**
 * CSV with a header row, quoted as RFC 4180 says (fields holding commas, quotes or line
 * breaks are quoted, quotes doubled). A null is an empty field and an empty string is `""`,
 * so readers can tell them apart; booleans are true/false, dates ISO 8601, binary base64,
 * lists and structs JSON text.
 */
export function encodeCsv(block: Block): Uint8Array {
  const text = stringify(rowsOfBlock(block), {
    header: true,
    columns: block.schema.fields.map((f) => f.name),
    quoted_match: /^$/,
    cast: {
      boolean: (value) => String(value),
      date: (value) => value.toISOString(),
      object: (value) => (value instanceof Uint8Array ? base64Of(value) : jsonValue(value)),
    },
  });
  return Buffer.from(text, 'utf8');
}

export const writeCsvFiles = fileWriter('csv', encodeCsv);
