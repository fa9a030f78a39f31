import {
  Binary,
  Bool,
  DataType,
  Float32,
  Float64,
  Int32,
  Int64,
  TimestampMillisecond,
  Type,
  Utf8,
  Schema,
  Table,
  type Int,
} from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { blockFromData, type Block } from './block.js';
import { buildColumn } from './build-column.js';
import { sameType } from './concat.js';
import { columnValues } from './read-values.js';

/** The column types a `types` option names: each stands for one Arrow type. */
export type ColumnTypeName = 'int32' | 'int64' | 'float32' | 'float64' | 'string' | 'bool' | 'binary' | 'timestamp';

/** Declared column types, by column: a name, or the Arrow type itself (one of those the names stand for). */
export type ColumnTypes = Readonly<Record<string, ColumnTypeName | DataType>>;

const ARROW_TYPES: Readonly<Record<ColumnTypeName, () => DataType>> = {
  int32: () => new Int32(),
  int64: () => new Int64(),
  float32: () => new Float32(),
  float64: () => new Float64(),
  string: () => new Utf8(),
  bool: () => new Bool(),
  binary: () => new Binary(),
  timestamp: () => new TimestampMillisecond(),
};

export const COLUMN_TYPE_NAMES = Object.keys(ARROW_TYPES) as readonly ColumnTypeName[];

export function arrowTypeOf(name: ColumnTypeName): DataType {
  return ARROW_TYPES[name]();
}

/** Declared type names as the Arrow types castColumns takes. */
export function declaredTypes(names: Readonly<Record<string, ColumnTypeName>>): Map<string, DataType> {
  return new Map(Object.entries(names).map(([column, name]) => [column, arrowTypeOf(name)]));
}

/** The name of an Arrow type, when it is one a `types` option can name; null otherwise (lists, structs, other widths). */
export function columnTypeName(type: DataType): ColumnTypeName | null {
  return COLUMN_TYPE_NAMES.find((name) => sameType(ARROW_TYPES[name](), type)) ?? null;
}

/**
 * Declared types as names (plain data, which crosses to workers); an Arrow Schema declares every
 * one of its fields. A type no name stands for is returned as `{ column, type }`, for the error.
 */
export function columnTypeNames(
  types: ColumnTypes | Schema,
): { names: Readonly<Record<string, ColumnTypeName>> } | { column: string; type: unknown } {
  const entries: Array<[string, unknown]> =
    types instanceof Schema ? types.fields.map((f) => [f.name, f.type as unknown]) : Object.entries(types);
  const names: Record<string, ColumnTypeName> = {};
  for (const [column, type] of entries) {
    const name =
      typeof type === 'string'
        ? (COLUMN_TYPE_NAMES.find((n) => n === type) ?? null)
        : type instanceof DataType
          ? columnTypeName(type as DataType)
          : null;
    if (name === null) return { column, type };
    names[column] = name;
  }
  return { names };
}

/**
 * The block with the declared columns cast to their types, without losing a value: whole
 * numbers to integers (within range), numbers to floats, nulls to anything; any other change,
 * or a value that would change, is a SchemaError naming the column, the row and the fix.
 * Columns not declared, or absent from the block, are left as they are.
 */
export function castColumns(block: Block, types: ReadonlyMap<string, DataType>, operator: string): Block {
  const fields = block.schema.fields;
  if (fields.every((f) => !types.has(f.name) || sameType(f.type as DataType, types.get(f.name)!))) return block;
  const target = fields.map((f) => (types.has(f.name) ? f.clone({ type: types.get(f.name)! }) : f));
  const batches = block.batches.map((batch) => {
    const columns = target.map((field, i) => {
      const column = batch.getChildAt(i)!;
      if (sameType(column.type as DataType, field.type as DataType)) return column.data[0];
      return buildColumn(
        castValues(columnValues(column), column.type as DataType, field.type as DataType, field.name, operator),
        field.type as DataType,
      );
    });
    return blockFromData(target, columns, batch.numRows);
  });
  return new Table(
    new Schema(target),
    batches.flatMap((b) => b.batches),
  );
}

function castValues(values: unknown[], from: DataType, to: DataType, column: string, operator: string): unknown[] {
  if (from.typeId === Type.Null) return values;
  const numeric = (t: DataType) => t.typeId === Type.Int || t.typeId === Type.Float;
  if (!(numeric(from) && numeric(to))) {
    throw new SchemaError(
      `${operator}: column '${column}' is ${String(from)} and cannot become ${String(to)}; ` +
        'only numbers change type here: convert the values in a map first',
    );
  }
  const check = to.typeId === Type.Int ? integerCheck(to as Int) : (v: number | bigint) => typeof v === 'number' || isSafe(v);
  return values.map((value, row) => {
    if (value == null) return value;
    const v = value as number | bigint;
    if (!check(v)) {
      throw new SchemaError(
        `${operator}: column '${column}' row ${row} holds ${String(v)}, which ${String(to)} cannot hold exactly; ` +
          `declare the column as a type that can (types: { ${column}: '${typeof v === 'bigint' ? 'int64' : 'float64'}' })`,
      );
    }
    // Bigints become numbers for every type but Int64, which builds from either.
    return typeof v === 'bigint' && !(to.typeId === Type.Int && (to as Int).bitWidth === 64) ? Number(v) : v;
  });
}

function integerCheck(to: Int): (v: number | bigint) => boolean {
  if (to.bitWidth === 64) return (v) => typeof v === 'bigint' || Number.isSafeInteger(v);
  const [min, max] = [-(2 ** (to.bitWidth - 1)), 2 ** (to.bitWidth - 1) - 1];
  return (v) => {
    const n = typeof v === 'bigint' ? (isSafe(v) ? Number(v) : NaN) : v;
    return Number.isInteger(n) && n >= min && n <= max;
  };
}

function isSafe(v: bigint): boolean {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
}
