import {
  Bool,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Table,
  Type,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { plain } from '../arrow-values.js';
import { writeHalfFloats } from '../half-floats.js';
import { DYNAMIC_FIELD } from '../sink/scalar-keys.js';
import { ImportRowsError } from './import-errors.js';
import type { ImportField, ImportFieldType, ImportSchema } from './import-fields.js';

/**
 * A batch of the user's rows as the columns of a Milvus import file (internal/util/importutilv2/
 * parquet): FloatVector as `list<float32>` of dim values, Float16/BFloat16 as `list<uint8>` of
 * 2 × dim little-endian bytes, BinaryVector as `list<uint8>` of dim / 8 bytes, Int8Vector as
 * `list<int8>`, sparse vectors and JSON fields as JSON text, Arrays as lists, columns outside
 * the schema as the JSON object of `$meta` (when the collection has a dynamic field). Columns
 * Milvus fills (auto-id key, function outputs) must be absent; vectors are never null.
 */
export function importColumns(table: Table, schema: ImportSchema): Table {
  const rows = new RowNames(table, schema);
  for (const name of schema.generated) {
    if (table.getChild(name) !== null)
      throw new ImportRowsError(
        `bulk import into '${schema.collection}': column '${name}' is filled by Milvus (an auto-id primary key or a function's output); ` +
          `drop it from the rows (dropColumns(['${name}'])) or make the field a plain one`,
      );
  }
  const out: Record<string, Vector> = {};
  for (const field of schema.fields) {
    const column = table.getChild(field.name);
    if (column === null) {
      if (field.nullable || field.hasDefault) continue;
      throw new ImportRowsError(
        `bulk import into '${schema.collection}': the rows have no column '${field.name}' (${describeField(field)}), which the collection requires; ` +
          `columns: ${table.schema.fields.map((f) => f.name).join(', ')}`,
      );
    }
    out[field.name] = importColumn(column, field, rows);
  }
  const known = new Set([...schema.fields.map((f) => f.name), ...schema.generated]);
  const extra = table.schema.fields.map((f) => f.name).filter((name) => !known.has(name));
  if (extra.length > 0) {
    if (!schema.dynamic)
      throw new ImportRowsError(
        `bulk import into '${schema.collection}': columns ${extra.map((n) => `'${n}'`).join(', ')} are not fields of the collection, ` +
          'which has no dynamic field; drop them (dropColumns) or create the collection with enable_dynamic_field',
      );
    out[DYNAMIC_FIELD] = dynamicColumn(table, extra);
  }
  return new Table(out);
}

/** Names a row of the batch in errors: its index, and its primary key when the rows carry one. */
class RowNames {
  private readonly key: Vector | null;

  constructor(
    private readonly table: Table,
    readonly schema: ImportSchema,
  ) {
    this.key = schema.primaryKey === null ? null : table.getChild(schema.primaryKey);
  }

  error(row: number, field: ImportField, problem: string): ImportRowsError {
    const key = this.key === null ? '' : ` (${this.schema.primaryKey} ${JSON.stringify(plain(this.key.get(row)))})`;
    return new ImportRowsError(
      `bulk import into '${this.schema.collection}': row ${row} of its batch${key}, field '${field.name}' (${describeField(field)}): ${problem}`,
    );
  }

  get count(): number {
    return this.table.numRows;
  }
}

function describeField(field: ImportField): string {
  if (field.dim !== undefined) return `${field.type} of dim ${field.dim}`;
  return field.type === 'Array' ? `Array of ${field.elementType}` : field.type;
}

function importColumn(column: Vector, field: ImportField, rows: RowNames): Vector {
  switch (field.type) {
    case 'FloatVector':
      return listColumn(numberVectors(column, field, rows, 'float32'), dimOf(field, rows), rows.count);
    case 'Float16Vector':
    case 'BFloat16Vector': {
      const dim = dimOf(field, rows);
      const floats = numberVectors(column, field, rows, 'float32');
      const bytes = new Uint8Array(2 * floats.length);
      writeHalfFloats(floats, field.type === 'Float16Vector' ? 'float16' : 'bfloat16', bytes, 0);
      return listColumn(bytes, 2 * dim, rows.count);
    }
    case 'Int8Vector': {
      const values = numberVectors(column, field, rows, 'int8');
      return listColumn(values, dimOf(field, rows), rows.count);
    }
    case 'BinaryVector':
      return listColumn(binaryVectors(column, field, rows), dimOf(field, rows) / 8, rows.count);
    case 'SparseFloatVector':
      return vectorFromArray(
        mapRows(column, field, rows, (value, row) => JSON.stringify(sparseOf(value, () => rows.error(row, field, sparseProblem)))),
        new Utf8(),
      );
    case 'JSON':
      return vectorFromArray(
        mapRows(column, field, rows, (value) => JSON.stringify(plain(value))),
        new Utf8(),
      );
    case 'Array': {
      const element = arrowType(field.elementType ?? 'VarChar');
      return vectorFromArray(
        mapRows(column, field, rows, (value, row) => {
          const items = plain(value);
          if (!Array.isArray(items)) throw rows.error(row, field, `an array is needed, found ${typeof items}`);
          return items.map((item) =>
            scalarValue(item, field.elementType ?? 'VarChar', () => rows.error(row, field, `element ${String(item)}`)),
          );
        }),
        new List(new Field('element', element, true)),
      );
    }
    default:
      return vectorFromArray(
        mapRows(column, field, rows, (value, row) =>
          scalarValue(plain(value), field.type, () => rows.error(row, field, `cannot hold ${String(value)}`)),
        ),
        arrowType(field.type),
      );
  }
}

const sparseProblem = 'a sparse vector is {indices, values} (two equal-length arrays) or an object of index: value';

function dimOf(field: ImportField, rows: RowNames): number {
  if (field.dim === undefined || !Number.isInteger(field.dim) || field.dim <= 0)
    throw new ImportRowsError(
      `bulk import into '${rows.schema.collection}': field '${field.name}' has no dimension in the collection's schema`,
    );
  return field.dim;
}

/**
 * Every row's vector, one after another, checked to be `dim` long and not null (and for
 * Int8Vector, integers in -128..127). A FixedSizeList<Float32> column of one chunk is taken as
 * it is, without a copy; other lists of numbers are copied.
 */
function numberVectors(column: Vector, field: ImportField, rows: RowNames, kind: 'float32' | 'int8'): Float32Array | Int8Array {
  const dim = dimOf(field, rows);
  const type = column.type as DataType;
  if (type.typeId !== Type.FixedSizeList && type.typeId !== Type.List)
    throw rows.error(0, field, `the column is ${String(type)}; a vector column is a list of numbers (Float32Array, number[])`);
  for (let row = 0; column.nullCount > 0 && row < column.length; row++)
    if (!column.isValid(row)) throw rows.error(row, field, 'a vector is never null in Milvus');
  if (kind === 'float32' && column.data.length === 1 && type.typeId === Type.FixedSizeList) {
    const data = column.data[0];
    const size = (type as DataType & { listSize: number }).listSize;
    if (size !== dim) throw rows.error(0, field, `the vectors have ${size} values`);
    const child = data.children[0];
    if (child.values instanceof Float32Array) {
      const start = data.offset * dim + child.offset;
      return child.values.subarray(start, start + data.length * dim);
    }
  }
  const out = kind === 'float32' ? new Float32Array(column.length * dim) : new Int8Array(column.length * dim);
  for (let row = 0; row < column.length; row++) {
    const item = column.get(row) as { length: number; toArray(): ArrayLike<number> };
    if (item.length !== dim) throw rows.error(row, field, `the vector has ${item.length} values`);
    const values = item.toArray();
    for (let j = 0; j < dim; j++) {
      const value = Number(values[j]);
      if (kind === 'int8' && !(Number.isInteger(value) && value >= -128 && value <= 127))
        throw rows.error(row, field, `value ${value} is not an integer in -128..127`);
      out[row * dim + j] = value;
    }
  }
  return out;
}

/** BinaryVector rows as bytes (Uint8Array, Buffer, or a list of byte values), dim / 8 each. */
function binaryVectors(column: Vector, field: ImportField, rows: RowNames): Uint8Array {
  const size = dimOf(field, rows) / 8;
  const out = new Uint8Array(column.length * size);
  for (let row = 0; row < column.length; row++) {
    const value = column.get(row) as Uint8Array | { toArray(): ArrayLike<number> } | null;
    if (value === null) throw rows.error(row, field, 'a vector is never null in Milvus');
    const bytes = value instanceof Uint8Array ? value : Uint8Array.from(value.toArray());
    if (bytes.length !== size) throw rows.error(row, field, `the vector has ${bytes.length} bytes; dim ${field.dim} bits is ${size} bytes`);
    out.set(bytes, row * size);
  }
  return out;
}

/** A list column of `length` rows of `size` values each, over `values` as they are. */
function listColumn(values: Float32Array | Int8Array | Uint8Array, size: number, length: number): Vector {
  const valueOffsets = new Int32Array(length + 1);
  for (let i = 0; i <= length; i++) valueOffsets[i] = i * size;
  const child =
    values instanceof Float32Array
      ? makeData({ type: new Float32(), length: values.length, nullCount: 0, data: values })
      : values instanceof Int8Array
        ? makeData({ type: new Int8(), length: values.length, nullCount: 0, data: values })
        : makeData({ type: new Uint8(), length: values.length, nullCount: 0, data: values });
  const type = new List<DataType>(new Field('element', child.type, false));
  return makeVector(makeData({ type, length, nullCount: 0, valueOffsets, child }));
}

function mapRows<T>(column: Vector, field: ImportField, rows: RowNames, fn: (value: unknown, row: number) => T): (T | null)[] {
  const out = new Array<T | null>(column.length);
  for (let row = 0; row < column.length; row++) {
    const value: unknown = column.get(row);
    if (value === null || value === undefined) {
      if (!field.nullable && !field.hasDefault) throw rows.error(row, field, 'null, and the field is not nullable');
      out[row] = null;
    } else out[row] = fn(value, row);
  }
  return out;
}

/** The JSON Milvus reads for a sparse vector: `{"indices": [...], "values": [...]}`. */
function sparseOf(value: unknown, error: () => Error): { indices: number[]; values: number[] } {
  const given = plain(value);
  if (typeof given === 'string') return sparseOf(JSON.parse(given), error);
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw error();
  const record = given as Record<string, unknown>;
  if (Array.isArray(record.indices) && Array.isArray(record.values)) {
    if (record.indices.length !== record.values.length) throw error();
    return { indices: record.indices.map(Number), values: record.values.map(Number) };
  }
  const entries = Object.entries(record).sort((a, b) => Number(a[0]) - Number(b[0]));
  if (entries.some(([k, v]) => !/^\d+$/.test(k) || typeof v !== 'number')) throw error();
  return { indices: entries.map(([k]) => Number(k)), values: entries.map(([, v]) => v as number) };
}

function scalarValue(value: unknown, type: ImportFieldType, error: () => Error): unknown {
  switch (type) {
    case 'Bool':
      if (typeof value !== 'boolean') throw error();
      return value;
    case 'Int8':
    case 'Int16':
    case 'Int32': {
      const bits = type === 'Int8' ? 8 : type === 'Int16' ? 16 : 32;
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -(2 ** (bits - 1)) || n >= 2 ** (bits - 1)) throw error();
      return n;
    }
    case 'Int64':
      if (typeof value === 'bigint') return value;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw error();
      return BigInt(value);
    case 'Float':
    case 'Double':
      if (typeof value !== 'number') throw error();
      return value;
    case 'VarChar':
      if (typeof value !== 'string') throw error();
      return value;
    default:
      throw error();
  }
}

function arrowType(type: ImportFieldType): DataType {
  switch (type) {
    case 'Bool':
      return new Bool();
    case 'Int8':
      return new Int8();
    case 'Int16':
      return new Int16();
    case 'Int32':
      return new Int32();
    case 'Int64':
      return new Int64();
    case 'Float':
      return new Float32();
    case 'Double':
      return new Float64();
    default:
      return new Utf8();
  }
}

/** The extra columns of each row as one JSON object (the dynamic field). */
function dynamicColumn(table: Table, names: readonly string[]): Vector {
  const columns = names.map((name) => [name, table.getChild(name)!] as const);
  const out = new Array<string>(table.numRows);
  for (let row = 0; row < table.numRows; row++) {
    const object: Record<string, unknown> = {};
    for (const [name, column] of columns) {
      const value = plain(column.get(row));
      if (value !== null && value !== undefined) object[name] = value;
    }
    out[row] = JSON.stringify(object);
  }
  return vectorFromArray(out, new Utf8());
}
