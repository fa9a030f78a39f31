import { makeData, RecordBatch, Struct, Table, Type, type Data, type FixedSizeList } from 'apache-arrow';
import type { Block } from './block.js';
import { markMovable } from './movable-buffers.js';
import { uninitialized, type TypedArrayOf } from './uninitialized.js';

/**
 * The block as one record batch, its batches' buffers copied end to end; the block itself when
 * it has one batch, batch metadata, or a column of a type not copied here (dictionaries, unions,
 * maps, 64-bit offsets). Every batch that crosses a thread costs, on each side, its part of the
 * message and a record batch with its columns' objects, in code a thread runs a few times a
 * task and so seldom optimises: a PDF read task's three fragments as one batch cost the main
 * thread about 0.1 ms to take in, against 0.5 as three (bench/RESULTS.md). The copies are
 * the new block's alone, so a task's reply moves them (movable-buffers.ts).
 */
export function coalesceBatches(block: Block): Block {
  const { batches, schema } = block;
  if (batches.length < 2 || batches.some((batch) => batch.metadata.size > 0)) return block;
  const children: Data[] = [];
  for (let c = 0; c < schema.fields.length; c++) {
    const column = concatColumn(batches.map((batch) => batch.data.children[c]));
    if (column === null) return block;
    children.push(column);
  }
  const data = makeData({ type: new Struct(schema.fields), length: block.numRows, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/**
 * The chunks of one column as one Data, always a copy, in buffers of its own (marked movable);
 * null for a type not copied here.
 */
export function concatColumn(chunks: readonly Data[]): Data | null {
  const type = chunks[0].type;
  let length = 0;
  let nullCount = 0;
  for (const chunk of chunks) {
    length += chunk.length;
    nullCount += chunk.nullCount;
  }
  const nullBitmap = nullCount === 0 ? undefined : concatBits(chunks, length, (chunk) => chunk.nullBitmap);
  const common = { length, nullCount, nullBitmap };
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length, nullCount: length });
    case Type.Bool:
      return makeData({ type, ...common, data: concatBits(chunks, length, (chunk) => chunk.values as Uint8Array) } as Parameters<
        typeof makeData
      >[0]);
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
      return makeData({ type, ...common, data: concatValues(chunks) } as Parameters<typeof makeData>[0]);
    case Type.Utf8:
    case Type.Binary: {
      const { valueOffsets, ranges } = concatOffsets(chunks, length);
      const data = movableUninitialized(Uint8Array, valueOffsets[length]);
      ranges.forEach(([start, end, firstRow], i) =>
        data.set((chunks[i].values as Uint8Array).subarray(start, end), valueOffsets[firstRow]),
      );
      return makeData({ type, ...common, valueOffsets, data } as Parameters<typeof makeData>[0]);
    }
    case Type.List: {
      const { valueOffsets, ranges } = concatOffsets(chunks, length);
      const child = concatColumn(ranges.map(([start, end], i) => chunks[i].children[0].slice(start, end - start)));
      return child && makeData({ type, ...common, valueOffsets, child } as Parameters<typeof makeData>[0]);
    }
    case Type.FixedSizeList: {
      const size = (type as FixedSizeList).listSize;
      const child = concatColumn(chunks.map((chunk) => chunk.children[0].slice(0, chunk.length * size)));
      return child && makeData({ type, ...common, child } as Parameters<typeof makeData>[0]);
    }
    case Type.Struct: {
      const children: Data[] = [];
      for (let c = 0; c < type.children.length; c++) {
        const child = concatColumn(chunks.map((chunk) => chunk.children[c].slice(0, chunk.length)));
        if (child === null) return null;
        children.push(child);
      }
      return makeData({ type, ...common, children } as Parameters<typeof makeData>[0]);
    }
    default:
      return null;
  }
}

/** Row i of a chunk's fixed-width values is at i * stride (Arrow slices these buffers with the rows). */
function concatValues(chunks: readonly Data[]): ArrayBufferView {
  const first = chunks[0].values as Uint8Array;
  let size = 0;
  for (const chunk of chunks) size += chunk.length * chunk.stride;
  const out = movableUninitialized(first.constructor as TypedArrayOf<Uint8Array>, size);
  let at = 0;
  for (const chunk of chunks) {
    const rows = chunk.length * chunk.stride;
    out.set((chunk.values as Uint8Array).subarray(0, rows), at);
    at += rows;
  }
  return out;
}

/** Offsets of the whole column, each chunk's rebased to where its values go; per chunk, its span of values and its first row. */
function concatOffsets(chunks: readonly Data[], length: number): { valueOffsets: Int32Array; ranges: [number, number, number][] } {
  const valueOffsets = movableUninitialized(Int32Array, length + 1);
  valueOffsets[0] = 0;
  const ranges: [number, number, number][] = [];
  let row = 0;
  for (const chunk of chunks) {
    const offsets = chunk.valueOffsets as Int32Array;
    const start = offsets[0];
    const base = valueOffsets[row];
    for (let i = 1; i <= chunk.length; i++) valueOffsets[row + i] = base + offsets[i] - start;
    ranges.push([start, offsets[chunk.length], row]);
    row += chunk.length;
  }
  return { valueOffsets, ranges };
}

/** Bit-packed buffers (validity, booleans) end to end; a chunk without one (no nulls) is all ones. Bits start at a chunk's offset. */
function concatBits(chunks: readonly Data[], length: number, bitsOf: (chunk: Data) => Uint8Array | undefined): Uint8Array {
  const out = movable(new Uint8Array(((length + 63) & ~63) >> 3));
  let row = 0;
  for (const chunk of chunks) {
    const bits = bitsOf(chunk);
    for (let i = 0; i < chunk.length; i++, row++) {
      const at = chunk.offset + i;
      if (bits === undefined || bits.byteLength === 0 || (bits[at >> 3] & (1 << (at & 7))) !== 0) out[row >> 3] |= 1 << (row & 7);
    }
  }
  return out;
}

/** `uninitialized`, its buffer marked movable: it holds this block's data alone. */
function movableUninitialized<T extends ArrayBufferView>(type: TypedArrayOf<T>, length: number): T {
  return movable(uninitialized(type, length));
}

function movable<T extends ArrayBufferView>(view: T): T {
  markMovable(view.buffer as ArrayBuffer);
  return view;
}
