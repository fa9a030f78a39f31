/**
 * A batch (an Arrow table) checked against the collection's schema and turned into Milvus's
 * column layout once, so that any run of its rows becomes a request without more work. Every
 * row is checked before anything is sent: a value that cannot be written fails the write with
 * a MilvusSchemaError naming the row, its primary key and the field.
 */
import type { Table, Vector } from 'apache-arrow';
import { MilvusSchemaError } from '../errors.js';
import { column, listValues, plain, preview } from '../arrow-values.js';
import { isVectorType, type SinkField, type SinkSchema } from './collection-schema.js';
import { floatBytes } from './field-bytes.js';
import { halfFloatBytes } from '../half-floats.js';
import { DYNAMIC_FIELD, SCALAR_KEYS } from './scalar-keys.js';

/** What a run of rows holds of one column, ready to be joined with the same column of other runs into a request. */
export type ColumnPart =
  | {
      readonly kind: 'scalar';
      readonly field: SinkField;
      /** The values of the rows that hold one (nulls left out). */
      readonly values: unknown[];
      /** One flag per row for a nullable field (or one with a default); empty otherwise. */
      readonly valid: boolean[];
    }
  | { readonly kind: 'vector'; readonly field: SinkField; readonly data: Uint8Array; readonly valid: boolean[] }
  | { readonly kind: 'dynamic'; readonly values: Buffer[] };

export interface PreparedBatch {
  /** Index of the write call the batch came in. */
  readonly index: number;
  readonly rows: number;
  /** About how many bytes each row takes in a request. */
  readonly rowBytes: Float64Array;
  /** The columns the batch sends, by name: batches with the same signature can share a request. */
  readonly signature: string;
  /** Rows [start, end), column by column. */
  parts(start: number, end: number): ColumnPart[];
  primaryKey(row: number): string | number | undefined;
}

interface Column {
  readonly name: string;
  part(start: number, end: number): ColumnPart;
}

export interface BatchContext {
  readonly schema: SinkSchema;
  readonly mode: 'upsert' | 'insert';
  /** Index of the write call, named in errors. */
  readonly batch: number;
}

const INT_RANGES: Readonly<Record<string, [number, number]>> = {
  Int8: [-128, 127],
  Int16: [-32768, 32767],
  Int32: [-(2 ** 31), 2 ** 31 - 1],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

export function prepareBatch(table: Table, ctx: BatchContext): PreparedBatch {
  const { schema } = ctx;
  const rows = table.numRows;
  const rowBytes = new Float64Array(rows);
  const pkColumn = column(table, schema.primary.name);
  const primaryKey = (row: number): string | number | undefined => {
    const value = pkColumn?.get(row) as unknown;
    return typeof value === 'bigint' ? String(value) : ((value as string | number | undefined) ?? undefined);
  };
  const fail: Fail = (field, row, problem, fix) => {
    throw new MilvusSchemaError(
      schema.collection,
      field,
      row === null ? null : { batch: ctx.batch, row, primaryKey: primaryKey(row) },
      problem,
      fix,
    );
  };
  const names = table.schema.fields.map((f) => f.name);
  const extra = names.filter((name) => !schema.fields.some((f) => f.name === name));
  if (extra.length && !schema.dynamic) {
    fail(
      extra[0],
      null,
      `the rows have column${extra.length > 1 ? 's' : ''} ${extra.map((n) => `'${n}'`).join(', ')} that the collection has no field for (its fields: ${schema.fields.map((f) => f.name).join(', ')})`,
      `drop them before the write (ds.dropColumns([...]) or ds.selectColumns([...])), or create the collection with enableDynamicField: true to keep them in $meta`,
    );
  }
  const columns: Column[] = [];
  for (const field of schema.fields) {
    if (field.functionOutput) {
      if (names.includes(field.name))
        fail(
          field.name,
          null,
          'the field is the output of a collection function, which Milvus fills',
          `drop the column '${field.name}' before the write`,
        );
      continue;
    }
    const vector = column(table, field.name);
    if (field.autoId) {
      if (ctx.mode === 'insert' && vector) {
        fail(
          field.name,
          null,
          'the primary key is made by Milvus (autoID), so an insert must not carry it',
          `drop the column '${field.name}', or use mode 'upsert' to replace rows by key`,
        );
      }
      if (ctx.mode === 'insert') continue;
      if (!vector)
        fail(
          field.name,
          null,
          'an upsert replaces rows by primary key, and the rows have none',
          `add the column '${field.name}', or use mode 'insert' to let Milvus make keys`,
        );
    }
    if (!vector && (field.nullable || field.hasDefault)) continue;
    if (!vector) {
      fail(
        field.name,
        null,
        `the rows have no column '${field.name}', and the field is neither nullable nor has a default value`,
        `add the column '${field.name}' (${describeField(field)})`,
      );
    }
    const prepare = isVectorType(field.type) ? vectorColumn : scalarColumn;
    columns.push(prepare(field, vector, rows, rowBytes, fail));
  }
  if (schema.dynamic && extra.length) columns.push(dynamicColumn(table, extra, rows, rowBytes));
  return {
    index: ctx.batch,
    rows,
    rowBytes,
    signature: columns.map((c) => c.name).join('\u0000'),
    parts: (start, end) => columns.map((c) => c.part(start, end)),
    primaryKey,
  };
}

type Fail = (field: string, row: number | null, problem: string, fix: string) => never;

function describeField(field: SinkField): string {
  if (field.dim) return `${field.type} of dim ${field.dim}`;
  if (field.maxLength) return `${field.type} of at most ${field.maxLength} bytes`;
  return field.type === 'Array' ? `Array of ${field.elementType}` : field.type;
}

/** Calls `present` for each cell that holds a value, marking it in `valid`; a null cell is allowed only where `valid` is kept (a nullable field), else `onNull` throws. */
function eachCell(
  vector: Vector,
  valid: Uint8Array | null,
  onNull: (row: number) => never,
  present: (raw: unknown, row: number) => void,
): void {
  for (let row = 0; row < vector.length; row++) {
    const raw = vector.get(row) as unknown;
    if (raw === null || raw === undefined) {
      if (!valid) onNull(row);
      continue;
    }
    if (valid) valid[row] = 1;
    present(raw, row);
  }
}

/** Valid flags of the rows [start, end) and the indexes of those that are valid. */
function validRun(valid: Uint8Array | null, start: number, end: number): { flags: boolean[]; kept: number[] } {
  const kept: number[] = [];
  const flags: boolean[] = [];
  for (let i = start; i < end; i++) {
    const ok = valid === null || valid[i] === 1;
    if (valid !== null) flags.push(ok);
    if (ok) kept.push(i);
  }
  return { flags, kept };
}

function scalarColumn(field: SinkField, vector: Vector, rows: number, rowBytes: Float64Array, fail: Fail): Column {
  const convert = scalarConverter(field, fail);
  const values = new Array<unknown>(rows);
  const valid = field.nullable || field.hasDefault ? new Uint8Array(rows) : null;
  eachCell(
    vector,
    valid,
    (row) =>
      fail(
        field.name,
        row,
        'the value is null, and the field is neither nullable nor has a default value',
        `give every row a ${describeField(field)} value, or drop such rows with ds.filter()`,
      ),
    (raw, row) => {
      const [value, bytes] = convert(raw, row);
      values[row] = value;
      rowBytes[row] += bytes;
    },
  );
  return {
    name: field.name,
    part(start, end) {
      const { flags, kept } = validRun(valid, start, end);
      return { kind: 'scalar', field, values: kept.map((i) => values[i]), valid: flags };
    },
  };
}

/** A converter of one Arrow value to what the request carries, with its size in bytes. */
function scalarConverter(field: SinkField, fail: Fail, type = field.type): (raw: unknown, row: number) => [unknown, number] {
  const wrong = (raw: unknown, row: number, want: string): never =>
    fail(
      field.name,
      row,
      `the value is ${preview(raw)}, but the field is ${describeField(field)}`,
      `convert the column to ${want} in a map() before the write`,
    );
  switch (type) {
    case 'Bool':
      return (raw, row) => (typeof raw === 'boolean' ? [raw, 1] : wrong(raw, row, 'booleans'));
    case 'Int8':
    case 'Int16':
    case 'Int32':
    case 'Int64': {
      const [low, high] = INT_RANGES[type];
      return (raw, row) => {
        if (typeof raw === 'bigint') {
          if (type === 'Int64') return [String(raw), 8];
          raw = Number(raw);
        }
        if (typeof raw !== 'number' || !Number.isInteger(raw)) return wrong(raw, row, 'whole numbers');
        if (raw < low || raw > high) {
          return fail(
            field.name,
            row,
            `${raw} is out of the range of ${type} [${low}, ${high}]`,
            'store it in a wider field, or scale it before the write',
          );
        }
        return [raw, 8];
      };
    }
    case 'Float':
    case 'Double':
      return (raw, row) => (typeof raw === 'number' ? [raw, 8] : typeof raw === 'bigint' ? [Number(raw), 8] : wrong(raw, row, 'numbers'));
    case 'VarChar':
    case 'String':
      return (raw, row) => {
        if (typeof raw !== 'string') return wrong(raw, row, 'strings (String(x))');
        const bytes = Buffer.byteLength(raw);
        if (field.maxLength && bytes > field.maxLength) {
          fail(
            field.name,
            row,
            `the string is ${bytes} bytes long (UTF-8), over the field's max_length of ${field.maxLength}`,
            'shorten the text (smaller chunks) or create the field with a larger maxLength (up to 65,535)',
          );
        }
        return [raw, bytes + 2];
      };
    case 'JSON':
      return (raw, row) => {
        let text: string;
        if (typeof raw === 'string') {
          try {
            JSON.parse(raw);
          } catch {
            return fail(
              field.name,
              row,
              `the string ${preview(raw)} is not valid JSON`,
              'give JSON text, or an object that the sink serialises',
            );
          }
          text = raw;
        } else text = JSON.stringify(plain(raw));
        const bytes = Buffer.from(text);
        return [bytes, bytes.length + 2];
      };
    case 'Array': {
      const element = scalarConverter(field, fail, field.elementType);
      return (raw, row) => {
        const list = listValues(raw) ?? wrong(raw, row, `lists of ${field.elementType}`);
        if (field.maxCapacity && list.length > field.maxCapacity) {
          fail(
            field.name,
            row,
            `the list has ${list.length} elements, over the field's max_capacity of ${field.maxCapacity}`,
            'shorten it, or create the field with a larger maxCapacity',
          );
        }
        let bytes = 0;
        const data = Array.from(list, (item) => {
          const [value, size] = element(item, row);
          bytes += size;
          return value;
        });
        return [{ [SCALAR_KEYS[field.elementType]]: { data } }, bytes + 4];
      };
    }
    default:
      return (raw, row) =>
        fail(
          field.name,
          row,
          `the sink cannot write ${field.type} fields`,
          'write this collection with the Milvus SDK, or leave the field out (nullable)',
        );
  }
}

function vectorColumn(field: SinkField, vector: Vector, rows: number, rowBytes: Float64Array, fail: Fail): Column {
  const { dim, type } = field;
  const binary = type === 'BinaryVector';
  const half = type === 'Float16Vector' || type === 'BFloat16Vector';
  if (type !== 'FloatVector' && !binary && !half) {
    return fail(field.name, null, `the sink cannot write ${type} fields`, 'write this collection with the Milvus SDK');
  }
  // Bytes per row as Milvus carries them: 4 per float, 2 per half float, 1 per 8 bits.
  const rowSize = binary ? dim / 8 : half ? dim * 2 : dim * 4;
  const floats = binary ? null : new Float32Array(rows * dim);
  const bytes = binary || half ? new Uint8Array(rows * rowSize) : null;
  const valid = field.nullable ? new Uint8Array(rows) : null;
  // Half-float rows given as bytes are kept as they are; the others are converted from floats below.
  const givenAsBytes = new Uint8Array(rows);
  eachCell(
    vector,
    valid,
    (row) =>
      fail(
        field.name,
        row,
        'the vector is null',
        'give every row a vector (drop rows without one with ds.filter()), or create the field nullable',
      ),
    (raw, row) => {
      const values =
        listValues(raw) ??
        fail(field.name, row, `the value is ${preview(raw)}, not a vector`, `give a Float32Array or number[] of ${dim} values`);
      rowBytes[row] += rowSize + 4;
      if (binary || (half && values instanceof Uint8Array)) {
        if (values.length !== rowSize) {
          fail(
            field.name,
            row,
            `the vector has ${values.length} bytes, but a ${type} of dim ${dim} takes ${rowSize}`,
            `give ${rowSize} bytes per row${binary ? ' (8 dimensions per byte)' : ''}`,
          );
        }
        bytes!.set(values as ArrayLike<number>, row * rowSize);
        givenAsBytes[row] = 1;
        return;
      }
      if (values.length !== dim) {
        fail(
          field.name,
          row,
          `the vector has ${values.length} values, but the field's dim is ${dim}`,
          `check the embedding model's output size, or create the field with dim ${values.length}`,
        );
      }
      floats!.set(values as ArrayLike<number>, row * dim);
    },
  );
  if (half && floats) {
    for (let row = 0; row < rows; row++) {
      if (!givenAsBytes[row]) bytes!.set(halfFloatBytes(floats.subarray(row * dim, (row + 1) * dim), type), row * rowSize);
    }
  }
  return {
    name: field.name,
    part(start, end) {
      const { flags, kept } = validRun(valid, start, end);
      const contiguous = kept.length === end - start;
      const data =
        type === 'FloatVector'
          ? floatBytes(
              contiguous ? floats!.subarray(start * dim, end * dim) : compact(kept, dim, floats!, new Float32Array(kept.length * dim)),
            )
          : contiguous
            ? bytes!.subarray(start * rowSize, end * rowSize)
            : compact(kept, rowSize, bytes!, new Uint8Array(kept.length * rowSize));
      return { kind: 'vector', field, data, valid: flags };
    },
  };
}

/** The rows `kept` of `source` (`size` values each), side by side in `out`. */
function compact<A extends Float32Array | Uint8Array>(kept: readonly number[], size: number, source: A, out: A): A {
  kept.forEach((row, j) => out.set(source.subarray(row * size, (row + 1) * size), j * size));
  return out;
}

function dynamicColumn(table: Table, names: readonly string[], rows: number, rowBytes: Float64Array): Column {
  const vectors = names.map((name) => column(table, name)!);
  const values = new Array<Buffer>(rows);
  for (let row = 0; row < rows; row++) {
    const object: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const value = vectors[i].get(row) as unknown;
      if (value !== null && value !== undefined) object[name] = plain(value);
    });
    values[row] = Buffer.from(JSON.stringify(object));
    rowBytes[row] += values[row].length + 2;
  }
  return { name: DYNAMIC_FIELD, part: (start, end) => ({ kind: 'dynamic', values: values.slice(start, end) }) };
}
