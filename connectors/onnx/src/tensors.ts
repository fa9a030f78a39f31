/**
 * Batch columns ↔ ONNX Runtime tensors. A batch is what mapBatches hands a class UDF: an
 * Arrow Table (batchFormat 'arrow') or an object of columns ('columns'). A vector column
 * (FixedSizeList or List of numbers, or an array of typed arrays) becomes a [rows, width]
 * tensor, a number column a [rows] one; outputs come back as FixedSizeList columns.
 */
import {
  DataType,
  Field,
  type Data,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  makeData,
  makeVector,
  type Vector,
} from 'apache-arrow';
import * as ort from 'onnxruntime-node';
import type { Columns } from 'sluice';
import { TensorMappingError } from './errors.js';

export type Batch = Table | Columns;

export function batchRows(batch: Batch): number {
  if (batch instanceof Table) return batch.numRows;
  const first = Object.values(batch)[0];
  return first === undefined ? 0 : first.length;
}

/** The strings of a text column; a null is an empty text. */
export function textColumn(batch: Batch, column: string): string[] {
  const values: unknown[] = batch instanceof Table ? [...arrowColumn(batch, column)] : Array.from(columnOf(batch, column));
  return values.map((v, i) => {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'string')
      throw new TensorMappingError(`column '${column}' holds ${typeof v} at row ${i}; a text column of strings is expected`);
    return v;
  });
}

/** An input's element type and shape as the session reports them (a string is a dynamic size). */
export interface InputSpec {
  readonly name: string;
  readonly type: ort.Tensor.Type;
  readonly shape: readonly (number | string)[];
}

type TensorArray = Float32Array | Float64Array | Int32Array | BigInt64Array;

const TENSOR_ARRAYS: Partial<Record<ort.Tensor.Type, new (length: number) => TensorArray>> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
};

/** The tensor for model input `input` from `column` of the batch. */
export function columnToTensor(batch: Batch, column: string, input: InputSpec): ort.Tensor {
  const where = `column '${column}' for model input '${input.name}'`;
  const Target = TENSOR_ARRAYS[input.type];
  if (!Target)
    throw new TensorMappingError(`${where}: the input's type ${input.type} is not supported; use float32, float64, int32 or int64 inputs`);
  const chunks = batch instanceof Table ? flattenArrow(arrowChunks(batch, column), where) : [flattenValues(columnOf(batch, column), where)];
  const width = chunks[0]?.width ?? 0;
  if (chunks.some((c) => c.width !== width))
    throw new TensorMappingError(`${where}: rows hold different numbers of values; a tensor needs the same number in every row`);
  const rows = chunks.reduce((n, c) => n + c.rows, 0);
  const dims = tensorDims(rows, width, input.shape, where);
  // One chunk of the input's own type feeds the session without a copy.
  if (chunks.length === 1 && chunks[0].values instanceof Target) return new ort.Tensor(input.type, chunks[0].values, dims);
  const values = new Target(rows * Math.max(width, 1));
  let at = 0;
  for (const chunk of chunks) {
    convertInto(chunk.values, values, at, where);
    at += chunk.values.length;
  }
  return new ort.Tensor(input.type, values, dims);
}

interface Flat {
  readonly rows: number;
  /** Values per row; 0 for a column of single numbers. */
  readonly width: number;
  readonly values: ArrayLike<number | bigint> & { readonly length: number };
}

/**
 * What flattenData reads of an Arrow column's chunk. Arrow types a Data's buffers by its DataType, unknown here (a
 * Table's column is a Vector<any>, a list's child a plain Data), so they are typed here by what the types read below
 * hold: `values` a typed array (Int, Float, a list's child), `valueOffsets` an Int32Array (List).
 */
interface ArrowChunk {
  readonly type: DataType;
  readonly length: number;
  readonly nullCount: number;
  readonly values: NumberArray;
  readonly valueOffsets: Int32Array;
  readonly children: readonly ArrowChunk[];
}

type NumberArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

function arrowColumn(table: Table, column: string): Vector {
  return table.getChildAt(columnIndex(table, column))!;
}

/** The column's data, batch by batch: what a Vector of it would hold, without making one per call. */
function arrowChunks(table: Table, column: string): ArrowChunk[] {
  const index = columnIndex(table, column);
  return table.batches.map((batch) => batch.data.children[index]);
}

function columnIndex(table: Table, column: string): number {
  const index = table.schema.fields.findIndex((field) => field.name === column);
  if (index < 0)
    throw new TensorMappingError(
      `the batch has no column '${column}' (columns: ${table.schema.fields.map((f) => f.name).join(', ')}); map the model's inputs to existing columns`,
    );
  return index;
}

function columnOf(columns: Columns, column: string): unknown[] | Columns[string] {
  const values = columns[column];
  if (!values)
    throw new TensorMappingError(
      `the batch has no column '${column}' (columns: ${Object.keys(columns).join(', ')}); map the model's inputs to existing columns`,
    );
  return values;
}

function flattenArrow(chunks: readonly ArrowChunk[], where: string): Flat[] {
  const nulls = chunks.reduce((n, data) => n + data.nullCount, 0);
  if (nulls > 0) throw new TensorMappingError(`${where} has ${nulls} null values; fill or filter them before inference`);
  return chunks.map((data) => flattenData(data, where));
}

// Arrow slices its buffers with the data (`values`, `valueOffsets` and the children of a
// FixedSizeList start at the slice's first row), so they are read from index 0.
function flattenData(data: ArrowChunk, where: string): Flat {
  const type = data.type;
  if (type.typeId === Type.Int || type.typeId === Type.Float) {
    return { rows: data.length, width: 0, values: data.values.subarray(0, data.length) };
  }
  if (DataType.isFixedSizeList(type)) {
    const width = type.listSize;
    return { rows: data.length, width, values: data.children[0].values.subarray(0, data.length * width) };
  }
  if (type.typeId === Type.List) {
    const offsets = data.valueOffsets;
    const width = data.length ? offsets[1] - offsets[0] : 0;
    for (let i = 0; i < data.length; i++) {
      const n = offsets[i + 1] - offsets[i];
      if (n !== width)
        throw new TensorMappingError(
          `${where}: row ${i} holds ${n} values, row 0 holds ${width}; a tensor needs the same number in every row`,
        );
    }
    return { rows: data.length, width, values: data.children[0].values.subarray(offsets[0], offsets[data.length]) };
  }
  throw new TensorMappingError(`${where} is ${String(type)}; a number column or a list of numbers per row is expected`);
}

function flattenValues(values: ArrayLike<unknown>, where: string): Flat {
  const rows = values.length;
  if (ArrayBuffer.isView(values)) return { rows, width: 0, values: values as unknown as Flat['values'] };
  const first = values[0];
  if (rows === 0 || typeof first === 'number' || typeof first === 'bigint') return { rows, width: 0, values: values as Flat['values'] };
  const width = (first as ArrayLike<number> | undefined)?.length ?? 0;
  const out = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const row = values[i] as ArrayLike<number> | null;
    if (row === null || typeof row !== 'object' || row.length !== width) {
      throw new TensorMappingError(
        `${where}: row ${i} is not a list of ${width} numbers like row 0; a tensor needs the same number in every row`,
      );
    }
    for (let k = 0; k < width; k++) out[i * width + k] = row[k];
  }
  return { rows, width, values: out };
}

function tensorDims(rows: number, width: number, shape: readonly (number | string)[], where: string): number[] {
  const trailing = shape.slice(1);
  if (trailing.length === 0) {
    if (width > 1) throw new TensorMappingError(`${where}: the input takes one value per row, the column holds ${width}`);
    return [rows];
  }
  const fixed = trailing.reduce<number>((n, d) => n * (typeof d === 'number' && d > 0 ? d : 1), 1);
  const dynamic = trailing.filter((d) => !(typeof d === 'number' && d > 0)).length;
  const perRow = Math.max(width, 1);
  if (dynamic > 1 || (dynamic === 0 && perRow !== fixed) || perRow % fixed !== 0) {
    throw new TensorMappingError(`${where}: the input's shape is [${shape.join(', ')}] and the column holds ${perRow} values per row`);
  }
  return [rows, ...trailing.map((d) => (typeof d === 'number' && d > 0 ? d : perRow / fixed))];
}

function convertInto(from: Flat['values'], to: TensorArray, at: number, where: string): void {
  if (to instanceof BigInt64Array) {
    for (let i = 0; i < from.length; i++) to[at + i] = BigInt(from[i]);
    return;
  }
  for (let i = 0; i < from.length; i++) {
    const v = from[i];
    if (typeof v !== 'number' && typeof v !== 'bigint')
      throw new TensorMappingError(`${where}: value ${i} is ${typeof v}; numbers are expected`);
    to[at + i] = Number(v);
  }
}

/** Rows × width numbers from an output tensor; width 0 for a [rows] tensor. */
export interface OutputColumn {
  readonly values: Float32Array | Float64Array | Int32Array | BigInt64Array;
  readonly width: number;
}

export function tensorToColumn(tensor: ort.Tensor, output: string): OutputColumn {
  const values = tensor.data;
  if (!(
    values instanceof Float32Array ||
    values instanceof Float64Array ||
    values instanceof Int32Array ||
    values instanceof BigInt64Array
  )) {
    throw new TensorMappingError(`model output '${output}' is ${tensor.type}; outputs of float32, float64, int32 or int64 become columns`);
  }
  // Copied into the reply's shared stream, not handed off: a moved output counts towards the main thread's mark-compacts (sluice's pools/shared-replies.ts).
  return { values, width: tensor.dims.length <= 1 ? 0 : tensor.dims.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * The batch's `keep` columns (all for true or undefined) with `columns` added, replacing
 * columns of the same names: Arrow in, Arrow out.
 */
export function withColumns(
  batch: Batch,
  columns: Record<string, OutputColumn>,
  keep: boolean | readonly string[] = true,
): Table | Columns {
  const names = batch instanceof Table ? batch.schema.fields.map((f) => f.name) : Object.keys(batch);
  const kept = keep === true ? names : keep === false ? [] : names.filter((name) => keep.includes(name));
  if (batch instanceof Table) {
    const outputs = Object.fromEntries(Object.entries(columns).map(([name, column]) => [name, arrowData(column)]));
    if (Object.values(outputs).every((data) => data.length === batch.numRows)) return withArrowColumns(batch, kept, outputs);
    // Outputs of other lengths than the batch: Arrow lays them out (padding the shorter with nulls).
    const added = new Table(Object.fromEntries(Object.entries(outputs).map(([name, data]) => [name, makeVector(data)])));
    return kept.length ? batch.select(kept).assign(added) : added;
  }
  const out: Columns = Object.fromEntries(kept.map((name) => [name, batch[name]]));
  for (const [name, column] of Object.entries(columns)) out[name] = column.width === 0 ? column.values : rowViews(column);
  return out;
}

/**
 * withColumns for an Arrow batch and outputs of its length, built directly: a record batch per
 * batch of the input, holding the input's own data for kept columns (sluice then sends those
 * back as references, not bytes) and slices of the outputs (no copy). Arrow's select and assign
 * would make the same table through several intermediate ones, per call; an actor's CPU is the
 * model's. Results of one input schema and output layout share one Schema object.
 */
function withArrowColumns(batch: Table, kept: readonly string[], outputs: Record<string, Data<DataType>>): Table {
  // A kept column is the input's column (its index), or, where an output replaces it, that output (its name) in its place.
  const slots = batch.schema.fields.flatMap((field, i): (number | string)[] =>
    !kept.includes(field.name) ? [] : field.name in outputs ? [field.name] : [i],
  );
  for (const name of Object.keys(outputs)) if (!slots.includes(name)) slots.push(name);
  const schema = resultSchema(batch.schema, kept.length > 0, slots, outputs);
  const struct = new Struct(schema.fields);
  const recordBatch = (length: number, children: Data[]) =>
    new RecordBatch(schema, makeData({ type: struct, length, nullCount: 0, children }));
  // Without input columns the outputs make one batch, each output whole (a buffer of its own moves to the main thread uncopied).
  if (!slots.some((slot) => typeof slot === 'number'))
    return new Table(schema, [
      recordBatch(
        batch.numRows,
        slots.map((slot) => outputs[slot]),
      ),
    ]);
  let row = 0;
  const batches = batch.batches.map((input) => {
    const children = slots.map((slot) => (typeof slot === 'number' ? input.data.children[slot] : outputs[slot].slice(row, input.numRows)));
    row += input.numRows;
    return recordBatch(input.numRows, children);
  });
  return new Table(schema, batches);
}

/** Result schemas by input schema, with the layouts they were made for (kept column indexes, added names, their types). */
const resultSchemas = new WeakMap<
  Schema,
  { readonly kept: boolean; readonly slots: (number | string)[]; readonly types: DataType[]; readonly schema: Schema }[]
>();
const RESULT_SCHEMAS_KEPT = 16;

function resultSchema(input: Schema, kept: boolean, slots: readonly (number | string)[], outputs: Record<string, Data<DataType>>): Schema {
  let made = resultSchemas.get(input);
  if (made === undefined) resultSchemas.set(input, (made = []));
  const fieldType = (field: Field): DataType => field.type as DataType;
  const types = slots.map((slot) => (typeof slot === 'number' ? fieldType(input.fields[slot]) : outputs[slot].type));
  const same = made.find((m) => m.kept === kept && sameItems(m.slots, slots) && sameItems(m.types, types));
  if (same !== undefined) return same.schema;
  const fields = slots.map((slot) =>
    typeof slot === 'number' ? input.fields[slot] : new Field(slot, outputs[slot].type, outputs[slot].nullable),
  );
  // As Arrow's select and assign would: the input's metadata where input columns are kept.
  const schema = new Schema(fields, kept ? input.metadata : new Map());
  made.unshift({ kept, slots: [...slots], types, schema });
  made.length = Math.min(made.length, RESULT_SCHEMAS_KEPT);
  return schema;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** A vector column as a FixedSizeList<width> (no copy of the values). */
export function arrowVector(column: OutputColumn): Vector {
  return makeVector(arrowData(column));
}

/** arrowVector's data: a FixedSizeList<width> of the values, or the values for width 0. */
function arrowData(column: OutputColumn): Data<DataType> {
  const item = arrowType(column.values);
  const values = makeData({ type: item as Float32, length: column.values.length, data: column.values as Float32Array });
  if (column.width === 0) return values;
  return makeData({ type: listType(column.width, item), length: column.values.length / column.width, nullCount: 0, child: values });
}

/** Output types, one object per type: results of one layout then share their schema (resultSchema). */
const ITEM_TYPES = { float32: new Float32(), float64: new Float64(), int32: new Int32(), int64: new Int64() };
const listTypes = new Map<DataType, Map<number, FixedSizeList>>();

function arrowType(values: OutputColumn['values']): DataType {
  if (values instanceof Float32Array) return ITEM_TYPES.float32;
  if (values instanceof Float64Array) return ITEM_TYPES.float64;
  if (values instanceof Int32Array) return ITEM_TYPES.int32;
  return ITEM_TYPES.int64;
}

function listType(width: number, item: DataType): FixedSizeList {
  let byWidth = listTypes.get(item);
  if (byWidth === undefined) listTypes.set(item, (byWidth = new Map<number, FixedSizeList>()));
  let type = byWidth.get(width);
  if (type === undefined) byWidth.set(width, (type = new FixedSizeList(width, new Field('item', item, false))));
  return type;
}

/** One typed-array view per row (sluice stores them as a List column). */
function rowViews(column: OutputColumn): OutputColumn['values'][] {
  const rows = column.values.length / column.width;
  return Array.from({ length: rows }, (_, i) => column.values.subarray(i * column.width, (i + 1) * column.width));
}
