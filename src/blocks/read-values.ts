import { Precision, Type, Vector, type DataType, type FixedSizeList, type Float, type List, type Struct } from 'apache-arrow';
import type { Block, Row } from './block.js';

/**
 * Plain JS values of a column: numbers, bigints, strings, booleans, Uint8Array for binary,
 * Float32Array for float32 vectors, typed arrays (Float32Array, Int32Array, BigInt64Array, ...)
 * for fixed-size lists of numbers, arrays for other lists, plain objects for structs, Dates
 * for timestamps and dates.
 */
export function columnValues(vector: Vector): unknown[] {
  const out = new Array<unknown>(vector.length);
  let offset = 0;
  for (const data of vector.data) {
    const chunk = chunkValues(vector.type as DataType, data);
    for (let i = 0; i < chunk.length; i++) out[offset + i] = chunk[i];
    offset += chunk.length;
  }
  return out;
}

type ChunkData = Vector['data'][number];

function chunkValues(type: DataType, data: ChunkData): ArrayLike<unknown> {
  const length = data.length;
  const out = new Array<unknown>(length);
  switch (type.typeId) {
    case Type.Struct: {
      const fields = (type as Struct).children;
      const children = fields.map((f, c) => chunkValues(f.type as DataType, data.children[c]));
      for (let i = 0; i < length; i++) {
        if (!data.getValid(i)) {
          out[i] = null;
          continue;
        }
        const obj: Row = {};
        for (let c = 0; c < fields.length; c++) obj[fields[c].name] = children[c][i];
        out[i] = obj;
      }
      return out;
    }
    case Type.List: {
      const offsets = data.valueOffsets as Int32Array;
      const readRow = listReader((type as List).children[0].type as DataType, data.children[0]);
      for (let i = 0; i < length; i++) out[i] = data.getValid(i) ? readRow(offsets[i], offsets[i + 1]) : null;
      return out;
    }
    case Type.FixedSizeList: {
      const size = (type as FixedSizeList).listSize;
      // The child is sliced with its parent (row 0 of a slice starts at child index 0), so
      // row i spans child values i * size up to (i + 1) * size.
      const readRow = listReader((type as FixedSizeList).children[0].type as DataType, data.children[0], true);
      for (let i = 0; i < length; i++) out[i] = data.getValid(i) ? readRow(i * size, (i + 1) * size) : null;
      return out;
    }
    case Type.Utf8:
      return utf8Values(data, out);
    case Type.Timestamp:
    case Type.Date: {
      // apache-arrow reads these as epoch milliseconds; rows hold Dates, as they were written.
      const vector = makeChunkVector(data);
      for (let i = 0; i < length; i++) {
        const ms = vector.get(i) as number | null;
        out[i] = ms === null ? null : new Date(ms);
      }
      return out;
    }
    default: {
      const vector = makeChunkVector(data);
      for (let i = 0; i < length; i++) out[i] = vector.get(i);
      return out;
    }
  }
}

/**
 * A string column's values, decoded by Node's UTF-8 decoder straight from the value buffer (a
 * quarter faster than apache-arrow's TextDecoder per value). A value that repeats the one
 * before it byte for byte is that same string, decoded once: a file's path, title or author
 * on each of its pages.
 */
function utf8Values(data: ChunkData, out: unknown[]): unknown[] {
  const offsets = data.valueOffsets as Int32Array;
  const values = data.values as Uint8Array;
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const checked = data.nullCount > 0;
  let last = '';
  let lastStart = 0;
  let lastEnd = -1;
  for (let i = 0; i < out.length; i++) {
    if (checked && !data.getValid(i)) {
      out[i] = null;
      continue;
    }
    const start = offsets[i];
    const end = offsets[i + 1];
    if (end - start !== lastEnd - lastStart || bytes.compare(bytes, start, end, lastStart, lastEnd) !== 0) {
      last = bytes.toString('utf8', start, end);
      lastStart = start;
      lastEnd = end;
    }
    out[i] = last;
  }
  return out;
}

/**
 * Reads the child values start..end of a list row. Float32 lists are vectors: a Float32Array
 * view of the child (blocks are immutable, so a view is safe, and no copy is made). With
 * `numericViews` (fixed-size lists: the ONNX embedder's FixedSizeList<Float32>, tensors of
 * other numeric types) every int and float child without nulls reads as a typed-array view;
 * child nulls, Float16 (stored as raw Uint16 bits) and other children read as arrays.
 */
function listReader(childType: DataType, child: ChunkData, numericViews = false): (start: number, end: number) => unknown {
  if (child.nullCount === 0 && (isFloat32(childType) || (numericViews && hasNumericValues(childType)))) {
    // Sliced data has its value buffer cut to the slice already: index 0 is the child's first value.
    const values = child.values as { subarray(start: number, end: number): ArrayBufferView };
    return (start, end) => values.subarray(start, end);
  }
  const flat = chunkValues(childType, child);
  return (start, end) => Array.prototype.slice.call(flat, start, end) as unknown[];
}

function isFloat32(type: DataType): boolean {
  return type.typeId === Type.Float && (type as Float).precision === Precision.SINGLE;
}

/** Ints and Float32/Float64, whose value buffers hold the values themselves. */
function hasNumericValues(type: DataType): boolean {
  return type.typeId === Type.Int || (type.typeId === Type.Float && (type as Float).precision !== Precision.HALF);
}

/** A one-chunk Vector, for apache-arrow's own decoding of the remaining types. */
function makeChunkVector(data: ChunkData): { get(i: number): unknown } {
  return new Vector([data]);
}

/** The rows of a block as plain objects. */
export function rowsOfBlock(block: Block): Row[] {
  const names = block.schema.fields.map((f) => f.name);
  const columns = names.map((_, i) => columnValues(block.getChildAt(i)!));
  const rows = new Array<Row>(block.numRows);
  for (let r = 0; r < rows.length; r++) {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][r];
    rows[r] = row;
  }
  return rows;
}
