import { Field, RecordBatch, Schema, Table, makeData, Struct, type DataType } from 'apache-arrow';
import { buildColumn } from './build-column.js';
import { inferFields } from './infer-type.js';

/**
 * A block is an Arrow table (one or more record batches sharing a schema). Blocks are
 * immutable; operators make new ones.
 */
export type Block = Table;

export type Row = Record<string, unknown>;

const sizes = new WeakMap<Table, number>();

/** Bytes held by a block's buffers; what the memory budget counts. */
export function blockBytes(block: Block): number {
  let bytes = sizes.get(block);
  if (bytes === undefined) {
    bytes = 0;
    for (const batch of block.batches) bytes += batch.data.byteLength;
    sizes.set(block, bytes);
  }
  return bytes;
}

/** A block from columns of data that already have their types. */
export function blockFromData(fields: readonly Field[], columns: readonly import('apache-arrow').Data[], length: number): Block {
  const schema = new Schema([...fields]);
  const data = makeData({ type: new Struct(schema.fields), length, children: [...columns], nullCount: 0 });
  return new Table([new RecordBatch(schema, data)]);
}

/** Builds a block from rows, inferring the schema unless one is given. */
export function blockFromRows(rows: readonly Row[], schema?: Schema): Block {
  const fields = schema ? schema.fields : inferFields(rows);
  const columns = fields.map((field) => {
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = rows[i][field.name];
    return buildColumn(values, field.type as DataType);
  });
  return blockFromData(fields, columns, rows.length);
}

export function emptyBlock(schema: Schema = new Schema([])): Block {
  return new Table(schema);
}
