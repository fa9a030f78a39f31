import { DataType, DateUnit, makeData, Precision, RecordBatch, Struct, Table, tableFromIPC, type Data, type Schema } from 'apache-arrow';
import { wasmMemory, type Table as WasmTable } from 'parquet-wasm/node';
import type { Block } from '../../../blocks/block.js';
import { concatColumn } from '../../../blocks/coalesce.js';

/**
 * A table parquet-wasm read, as a block of one record batch in JS memory; frees the
 * WebAssembly table.
 *
 * Its batches are found through the Arrow C data interface (`toFFI`), seen in place in
 * WebAssembly memory with the types of the table's schema, and each column's buffers copied
 * end to end into buffers of its own (`concatColumn`): one copy of the data, however many
 * batches parquet-wasm decoded (small ones decode faster, see parquet-reader.ts). Its IPC
 * stream (`intoIPCStream`) costs two and a serialisation: written into a growing buffer in
 * WebAssembly memory, then copied out (for 77k rows of a 384-float vector column, ~100 ms
 * against ~45 ms, and the WebAssembly memory holds the data twice). A layout this does not
 * copy itself (dictionaries, maps, unions, views, 64-bit offsets, an array with an offset)
 * goes through IPC.
 */
export function blockFromWasm(table: WasmTable): Block {
  let block: Block | null;
  try {
    const schema = tableFromIPC(table.schema.intoIPCStream()).schema;
    block = copiedBlock(table, schema);
  } catch (error) {
    table.free();
    throw error;
  }
  if (block === null) return tableFromIPC(table.intoIPCStream());
  table.free();
  return block;
}

/** The table's batches as one, copied out; null when it has none or holds a layout that is not copied here. */
function copiedBlock(table: WasmTable, schema: Schema): Block | null {
  const stream = table.toFFI();
  try {
    const addresses = stream.arrayAddrs();
    if (addresses.length === 0) return null;
    // Views into WebAssembly memory: copied before anything runs there again (growing the memory detaches them).
    const memory = new WasmArrays((wasmMemory() as { buffer: ArrayBuffer }).buffer);
    const type = new Struct(schema.fields);
    const batches = Array.from(addresses, (address) => memory.view(type, address));
    const children: Data[] = [];
    for (let c = 0; c < schema.fields.length; c++) {
      const column = concatColumn(batches.map((batch) => batch.children[c]));
      if (column === null) return null;
      children.push(column);
    }
    const length = batches.reduce((rows, batch) => rows + batch.length, 0);
    return new Table(schema, [new RecordBatch(schema, makeData({ type, length, nullCount: 0, children }))]);
  } catch (error) {
    if (error instanceof NotCopied) return null;
    throw error;
  } finally {
    stream.free();
  }
}

/** A layout that WasmArrays does not read (the table then goes through IPC). */
class NotCopied extends Error {}

/** What makeData takes, for every type at once (it checks the props against the type itself). */
type DataProps = Parameters<typeof makeData>[0];

/** Byte width of a value of a fixed-width type, or null for the others. */
function valueBytes(type: DataType): number | null {
  if (DataType.isInt(type) || DataType.isTime(type) || DataType.isDecimal(type)) return type.bitWidth / 8;
  if (DataType.isFloat(type)) return type.precision === Precision.HALF ? 2 : type.precision === Precision.SINGLE ? 4 : 8;
  if (DataType.isDate(type)) return type.unit === DateUnit.DAY ? 4 : 8;
  if (DataType.isTimestamp(type)) return 8;
  if (DataType.isFixedSizeBinary(type)) return type.byteWidth;
  return null;
}

/**
 * Reads ArrowArray structs (the Arrow C data interface) in a wasm32 memory: int64 length,
 * null_count, offset, n_buffers, n_children, then 32-bit pointers to the buffers, the
 * children and the dictionary. Throws NotCopied for a layout it does not read.
 */
class WasmArrays {
  private readonly memory: DataView;

  constructor(private readonly buffer: ArrayBuffer) {
    this.memory = new DataView(buffer);
  }

  /** The array at `address` as Arrow JS data of `type`, its buffers seen in place. */
  view(type: DataType, address: number): Data {
    const v = this.memory;
    const length = this.int64(address);
    const nullCount = this.int64(address + 8);
    const nBuffers = this.int64(address + 24);
    const nChildren = this.int64(address + 32);
    // An offset into the buffers (a slice) or a dictionary: not read here.
    if (this.int64(address + 16) !== 0 || v.getUint32(address + 48, true) !== 0) throw new NotCopied();
    const buffers = v.getUint32(address + 40, true);
    const children = v.getUint32(address + 44, true);
    const pointer = (i: number) => v.getUint32(buffers + 4 * i, true);
    const child = (i: number, childType: DataType) => this.view(childType, v.getUint32(children + 4 * i, true));
    const expect = (buffersOf: number, childrenOf: number) => {
      if (nBuffers !== buffersOf || nChildren !== childrenOf) throw new NotCopied();
    };

    if (DataType.isNull(type)) {
      expect(0, 0);
      return makeData({ type, length });
    }
    // Validity: absent when no value is null (a null count of -1 is "not computed", left to Arrow JS).
    if (nBuffers < 1 || (pointer(0) === 0 && nullCount !== 0)) throw new NotCopied();
    const nullBitmap = pointer(0) === 0 ? undefined : this.bytes(pointer(0), Math.ceil(length / 8));
    const base = { type, length, nullCount: nullBitmap ? nullCount : 0, nullBitmap };

    const width = valueBytes(type);
    if (width !== null || DataType.isBool(type)) {
      expect(2, 0);
      const bytes = width === null ? Math.ceil(length / 8) : length * width;
      return makeData({ ...base, data: this.bytes(pointer(1), bytes) } as DataProps);
    }
    if (DataType.isUtf8(type) || DataType.isBinary(type)) {
      expect(3, 0);
      const valueOffsets = this.bytes(pointer(1), (length + 1) * 4);
      const end = this.memory.getInt32(pointer(1) + 4 * length, true);
      return makeData({ ...base, valueOffsets, data: this.bytes(pointer(2), end) } as DataProps);
    }
    if (DataType.isList(type)) {
      expect(2, 1);
      const valueOffsets = this.bytes(pointer(1), (length + 1) * 4);
      return makeData({ ...base, valueOffsets, child: child(0, type.children[0].type as DataType) } as DataProps);
    }
    if (DataType.isFixedSizeList(type)) {
      expect(1, 1);
      return makeData({ ...base, child: child(0, type.children[0].type as DataType) } as DataProps);
    }
    if (DataType.isStruct(type)) {
      expect(1, type.children.length);
      return makeData({ ...base, children: type.children.map((field, i) => child(i, field.type as DataType)) } as DataProps);
    }
    throw new NotCopied();
  }

  /** An int64 field (lengths and counts, well below 2^53). */
  private int64(address: number): number {
    return Number(this.memory.getBigInt64(address, true));
  }

  /** The `length` bytes at `address`, in place; 8-byte aligned, as Arrow JS's typed views of them need (arrow-rs aligns its buffers to 64). */
  private bytes(address: number, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    if (address === 0 || address % 8 !== 0 || address + length > this.buffer.byteLength) throw new NotCopied();
    return new Uint8Array(this.buffer, address, length);
  }
}
