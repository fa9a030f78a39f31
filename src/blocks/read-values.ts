import { Type, Vector, type DataType, type List, type Struct } from 'apache-arrow';
import type { Block, Row } from './block.js';

/**
 * Plain JS values of a column: numbers, bigints, strings, booleans, Uint8Array for binary,
 * Float32Array for float32 vectors, arrays for other lists, plain objects for structs, Dates
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
      const childType = (type as List).children[0].type as DataType;
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0];
      const isFloat32 = childType.typeId === Type.Float && (childType as unknown as { precision: number }).precision === 1;
      const flat = isFloat32 ? null : chunkValues(childType, child);
      for (let i = 0; i < length; i++) {
        if (!data.getValid(i)) {
          out[i] = null;
          continue;
        }
        const start = offsets[i];
        const end = offsets[i + 1];
        if (isFloat32) {
          const values = child.values as Float32Array;
          out[i] = values.subarray(child.offset + start, child.offset + end);
        } else {
          out[i] = Array.prototype.slice.call(flat, start, end);
        }
      }
      return out;
    }
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
