import {
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Type,
  Uint16,
  Uint32,
  Uint8,
  type DataType,
  type Data,
  makeData,
} from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { blockFromData, type Block } from './block.js';
import { buildColumn } from './build-column.js';
import { inferType } from './infer-type.js';
import { columnValues } from './read-values.js';

export type TypedArray =
  Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | BigInt64Array;

/**
 * A column of a `'columns'` batch: typed arrays for numbers (without nulls), arrays otherwise.
 * A number column is never a BigInt64Array (Int64 columns read as bigints), so it is left out:
 * the elements of a number column are numbers.
 */
export type ColumnOf<V> = [V] extends [number]
  ? Exclude<TypedArray, BigInt64Array> | V[]
  : [V] extends [bigint]
    ? BigInt64Array | V[]
    : V[];

/** A `'columns'` batch of rows of type T. */
export type ColumnsOf<T> = { [K in keyof T]: ColumnOf<T[K]> };

/** A batch as columns: typed arrays for numeric columns without nulls, arrays otherwise. */
export type Columns = Record<string, TypedArray | unknown[]>;

const NUMERIC = new Set<Type>([Type.Float, Type.Int]);

export function columnsOfBlock(block: Block): Columns {
  const out: Columns = {};
  block.schema.fields.forEach((field, i) => {
    const vector = block.getChildAt(i)!;
    const numeric = NUMERIC.has((field.type as DataType).typeId) && vector.nullCount === 0;
    out[field.name] = numeric ? (vector.toArray() as TypedArray) : columnValues(vector);
  });
  return out;
}

export function blockFromColumns(columns: Columns, where: string): Block {
  const names = Object.keys(columns);
  const lengths = new Set(names.map((n) => columns[n].length));
  if (lengths.size > 1) {
    const detail = names.map((n) => `${n}: ${columns[n].length}`).join(', ');
    throw new SchemaError(`${where} returned columns of different lengths (${detail}); every column must have one value per row`);
  }
  const length = names.length ? columns[names[0]].length : 0;
  const fields: Field[] = [];
  const data: Data[] = [];
  for (const name of names) {
    const values = columns[name];
    const typed = typedArrayType(values);
    if (typed) {
      fields.push(new Field(name, typed, true));
      // makeData accepts any typed array matching the type; one overload serves them all.
      data.push(makeData({ type: typed as Float64, length, data: values as Float64Array }));
    } else {
      const type = inferType(values, name);
      fields.push(new Field(name, type, true));
      data.push(buildColumn(values, type));
    }
  }
  return blockFromData(fields, data, length);
}

function typedArrayType(values: unknown): DataType | null {
  if (values instanceof Float64Array) return new Float64();
  if (values instanceof Float32Array) return new Float32();
  if (values instanceof Int32Array) return new Int32();
  if (values instanceof Int16Array) return new Int16();
  if (values instanceof Int8Array) return new Int8();
  if (values instanceof Uint32Array) return new Uint32();
  if (values instanceof Uint16Array) return new Uint16();
  if (values instanceof Uint8Array) return new Uint8();
  if (values instanceof BigInt64Array) return new Int64();
  return null;
}
