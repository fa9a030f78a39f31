import {
  Binary,
  Bool,
  DataType,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  Uint16,
  Uint32,
  List,
  Null,
  Struct,
  TimestampMillisecond,
  Utf8,
} from 'apache-arrow';
import { SchemaError } from '../errors.js';

type ValueKind = 'number' | 'bigint' | 'string' | 'boolean' | 'binary' | 'vector' | 'list' | 'date' | 'struct';

/** The kind of a JS value as sluice stores it; null for null and undefined. `column` names it in errors. */
export function valueKind(value: unknown, column = '?'): ValueKind | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value instanceof Uint8Array) return 'binary';
      if (value instanceof Float32Array) return 'vector';
      // Other typed arrays (Float64Array, Int32Array, BigInt64Array, ... as fixed-size lists
      // read back) are lists of their numbers or bigints, so no value is narrowed to a Float32.
      if (isTypedArray(value)) return 'list';
      if (Array.isArray(value)) return value.every((v) => typeof v === 'number') ? 'vector' : 'list';
      if (value instanceof Date) return 'date';
      // A Map or Set has no own keys: as a struct it would silently become {}.
      if (value instanceof Map || value instanceof Set) {
        throw new SchemaError(
          `column '${column}' holds a ${value.constructor.name}, which cannot be stored in a block; convert it (Object.fromEntries(map), [...set])`,
        );
      }
      return 'struct';
    default:
      throw new SchemaError(`column '${column}' holds a value of type ${typeof value}, which cannot be stored in a block`);
  }
}

/**
 * Infers one Arrow type for a column from its values. Numbers are Int32 when every one is a
 * whole number within Int32's range (ids, pages, counts: DuckDB sees INTEGER, and they read back
 * as numbers), else Float64 (JS numbers are doubles); blocks that differ widen to Float64 when
 * joined, and a write keeps its first file's types (see conformBlock). Number arrays and Float32Arrays are vectors stored as List<Float32>; other typed
 * arrays are lists of their own item type (Float64Array: List<Float64>, Int32Array: List<Int32>,
 * BigInt64Array: List<Int64>).
 */
export function inferType(values: ArrayLike<unknown>, column: string): DataType {
  let kind: ValueKind | null = null;
  let firstRow = -1;
  for (let i = 0; i < values.length; i++) {
    const k = valueKind(values[i], column);
    if (k === null) continue;
    if (kind === null) {
      kind = k;
      firstRow = i;
    } else if (k !== kind && !(isListLike(k) && isListLike(kind))) {
      throw new SchemaError(
        `column '${column}' mixes ${kind} (row ${firstRow}) and ${k} (row ${i}); ` +
          `make the UDF return one type per column, or convert the values (for example String(x))`,
      );
    } else if (k === 'list') {
      kind = 'list';
    }
  }
  switch (kind) {
    case null:
      return new Null();
    case 'number':
      return allInt32(values) ? new Int32() : new Float64();
    case 'bigint':
      return new Int64();
    case 'string':
      return new Utf8();
    case 'boolean':
      return new Bool();
    case 'binary':
      return new Binary();
    case 'vector':
      return new List(new Field('item', new Float32(), true));
    case 'date':
      return new TimestampMillisecond();
    case 'list':
      return new List(new Field('item', typedArrayItemType(values) ?? inferType(flattenLists(values), `${column}[]`), true));
    case 'struct':
      return new Struct(inferFields(values as ArrayLike<Record<string, unknown> | null | undefined>, column));
  }
}

/** Fields for rows (or struct values): the union of their keys in first-seen order. */
export function inferFields(rows: ArrayLike<Record<string, unknown> | null | undefined>, prefix = ''): Field[] {
  const names = keysInOrder(rows);
  return names.map((name) => {
    const column = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = rows[i]?.[name];
    return new Field(name, inferType(column, prefix ? `${prefix}.${name}` : name), true);
  });
}

export function keysInOrder(rows: ArrayLike<Record<string, unknown> | null | undefined>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row) for (const key of Object.keys(row)) seen.add(key);
  }
  return [...seen];
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function allInt32(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | null | undefined;
    if (v != null && !(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) return false;
  }
  return true;
}

function isListLike(kind: ValueKind): boolean {
  return kind === 'vector' || kind === 'list';
}

function isTypedArray(value: unknown): value is Iterable<unknown> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

const TYPED_ARRAY_ITEMS: ReadonlyArray<readonly [new (length: number) => ArrayBufferView, () => DataType]> = [
  [Float64Array, () => new Float64()],
  [Int32Array, () => new Int32()],
  [Int16Array, () => new Int16()],
  [Int8Array, () => new Int8()],
  [Uint32Array, () => new Uint32()],
  [Uint16Array, () => new Uint16()],
  [BigInt64Array, () => new Int64()],
];

/** The item type of a column of typed arrays all of one class: their own (a Float64Array of whole numbers stays Float64). */
function typedArrayItemType(values: ArrayLike<unknown>): DataType | null {
  let found: (typeof TYPED_ARRAY_ITEMS)[number] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) continue;
    const entry = TYPED_ARRAY_ITEMS.find(([cls]) => v instanceof cls);
    if (entry === undefined || (found !== undefined && entry !== found)) return null;
    found = entry;
  }
  return found === undefined ? null : found[1]();
}

function flattenLists(values: ArrayLike<unknown>): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Array.isArray(v)) out.push(...(v as unknown[]));
    else if (isTypedArray(v)) out.push(...v);
  }
  return out;
}
