import { Field, RecordBatch, Schema, Table, makeData, Struct, type Data, type DataType } from 'apache-arrow';
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
    for (const batch of block.batches) bytes += dataBytes(batch.data);
    sizes.set(block, bytes);
  }
  return bytes;
}

/** The buffers of an Arrow Data, as typed arrays (apache-arrow types them by the column's type, `any` for a column of any type). */
interface DataBuffers {
  readonly valueOffsets: Int32Array | BigInt64Array | undefined;
  readonly values: (ArrayBufferView & { readonly BYTES_PER_ELEMENT: number }) | undefined;
  readonly nullBitmap: Uint8Array | undefined;
  readonly typeIds: Int8Array | undefined;
  readonly children: readonly Data[];
}

/**
 * The bytes of a column's rows. Arrow's own `byteLength` counts whole buffers, and a slice
 * keeps the whole value buffer of a string or binary column and the whole child of a list:
 * each 1,024-row slice of a big table would count as the table. Here those count the span
 * of their rows only (from the offsets); other buffers are cut on slicing already.
 */
function dataBytes(data: Data): number {
  const { valueOffsets, values, nullBitmap, typeIds, children } = data as DataBuffers;
  let bytes = (nullBitmap?.byteLength ?? 0) + (typeIds?.byteLength ?? 0) + (valueOffsets?.byteLength ?? 0);
  // Offsets of the rows are [0, length]: a slice's start at 0, and a built column's buffer may run past its end (capacity).
  const spanStart = valueOffsets && valueOffsets.length > 0 ? Number(valueOffsets[0]) : 0;
  const spanEnd = valueOffsets && valueOffsets.length > 0 ? Number(valueOffsets[Math.min(data.length, valueOffsets.length - 1)]) : 0;
  const spanLength = spanEnd - spanStart;
  if (valueOffsets && values) return bytes + spanLength * values.BYTES_PER_ELEMENT;
  bytes += values?.byteLength ?? 0;
  if (valueOffsets && children.length === 1) return bytes + dataBytes(children[0].slice(spanStart, spanLength));
  for (const child of children) bytes += dataBytes(child);
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
