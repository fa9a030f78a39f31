import type { ObjectStore } from '../../storage/index.js';

/** What planning a read needs of one row group, from the file's footer. */
export interface RowGroupFacts {
  readonly rows: number;
  /** Uncompressed bytes of its column data (the footer's `total_byte_size`). */
  readonly bytes: number;
  /**
   * Whether every column chunk has an offset index (the pages' locations and first rows): a
   * range of the row group's rows is then read by the pages that hold them, not the whole chunks.
   */
  readonly pageIndexed: boolean;
}

/** Footer bytes asked for at once with the 8-byte tail: most footers fit, so a file is planned in one read (one GET on S3). */
const TAIL_GUESS = 64 * 1024;
const MAGIC = 'PAR1';

/**
 * The row groups of a Parquet file, from its footer, read on the main thread when a read is
 * planned (without loading parquet-wasm there). Throws when the file is not a plain Parquet
 * file or its footer cannot be parsed, or when the row groups' rows do not add up to the
 * file's: the read step then reads the file whole, and parquet-wasm says what is wrong.
 */
export async function readRowGroupFacts(store: ObjectStore, path: string, size: number): Promise<RowGroupFacts[]> {
  if (size < 12) throw new Error('too small for a Parquet file');
  const tailStart = Math.max(0, size - TAIL_GUESS);
  const tail = await store.readRange(path, tailStart, size);
  if (tail.byteLength !== size - tailStart) throw new Error('short read');
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const footerLength = view.getUint32(tail.byteLength - 8, true);
  if (new TextDecoder().decode(tail.subarray(tail.byteLength - 4)) !== MAGIC) throw new Error('no Parquet magic at the end');
  const footerStart = size - 8 - footerLength;
  if (footerStart < 4) throw new Error('footer length past the start of the file');
  const footer =
    footerStart >= tailStart
      ? tail.subarray(footerStart - tailStart, tail.byteLength - 8)
      : await store.readRange(path, footerStart, size - 8);
  if (footer.byteLength !== footerLength) throw new Error('short read');
  return rowGroupsOfFooter(footer);
}

/** The row groups of a footer (a Thrift FileMetaData in the compact protocol). */
export function rowGroupsOfFooter(footer: Uint8Array): RowGroupFacts[] {
  const reader = new CompactReader(footer);
  let fileRows: number | null = null;
  let rowGroups: RowGroupFacts[] = [];
  reader.struct((id, type) => {
    if (id === 3 && type === I64) fileRows = reader.integer();
    else if (id === 4 && type === LIST) rowGroups = reader.list(() => rowGroupOf(reader));
    else return false;
    return true;
  });
  const sum = rowGroups.reduce((total, group) => total + group.rows, 0);
  if (fileRows === null || sum !== fileRows) throw new Error(`row groups hold ${sum} rows, the file ${String(fileRows)}`);
  return rowGroups;
}

/** RowGroup: 1 columns (list<ColumnChunk>), 2 total_byte_size, 3 num_rows. */
function rowGroupOf(reader: CompactReader): RowGroupFacts {
  let rows = -1;
  let bytes = -1;
  let pageIndexed = true;
  let columns = 0;
  reader.struct((id, type) => {
    if (id === 1 && type === LIST) {
      const indexed = reader.list(() => columnHasOffsetIndex(reader));
      columns = indexed.length;
      pageIndexed = indexed.every(Boolean);
    } else if (id === 2 && type === I64) bytes = reader.integer();
    else if (id === 3 && type === I64) rows = reader.integer();
    else return false;
    return true;
  });
  if (rows < 0 || bytes < 0) throw new Error('a row group without its rows or size');
  return { rows, bytes, pageIndexed: pageIndexed && columns > 0 };
}

/** ColumnChunk: 4 offset_index_offset. */
function columnHasOffsetIndex(reader: CompactReader): boolean {
  let indexed = false;
  reader.struct((id, type) => {
    if (id !== 4 || type !== I64) return false;
    indexed = reader.integer() >= 0;
    return true;
  });
  return indexed;
}

// The compact protocol's types (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md).
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Reads what the footer parse needs of Thrift's compact protocol, and skips all else. */
class CompactReader {
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** The fields of a struct, to `field` (which reads the value and returns true, or returns false to have it skipped). */
  struct(field: (id: number, type: number) => boolean): void {
    let last = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return;
      const type = head & 0x0f;
      const delta = head >> 4;
      const id = delta === 0 ? this.integer() : last + delta;
      last = id;
      if (!field(id, type)) this.skip(type, false);
    }
  }

  /** A list (or set), each element read by `element`. */
  list<T>(element: (type: number) => T): T[] {
    const head = this.byte();
    const size = head >> 4 === 15 ? this.varint() : head >> 4;
    // Each element takes a byte at least: a larger size is a corrupt footer, not a long loop.
    if (size > this.bytes.byteLength - this.at) throw new Error('a list longer than the footer');
    const type = head & 0x0f;
    return Array.from({ length: size }, () => element(type));
  }

  /** An i16, i32 or i64 (zigzag varint); exact to 2^53. */
  integer(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private byte(): number {
    if (this.at >= this.bytes.byteLength) throw new Error('the footer ends early');
    return this.bytes[this.at++];
  }

  private varint(): number {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      if (scale > 2 ** 63) throw new Error('a varint too long');
    }
  }

  private advance(n: number): void {
    if (n < 0 || this.at + n > this.bytes.byteLength) throw new Error('the footer ends early');
    this.at += n;
  }

  /** Skips a value; in a list or map a boolean is a byte of its own, in a struct it is in the field's type. */
  private skip(type: number, element: boolean): void {
    switch (type) {
      case TRUE:
      case FALSE:
        if (element) this.byte();
        return;
      case BYTE:
        this.byte();
        return;
      case I16:
      case I32:
      case I64:
        this.varint();
        return;
      case DOUBLE:
        this.advance(8);
        return;
      case BINARY:
        this.advance(this.varint());
        return;
      case LIST:
      case SET:
        this.list((t) => this.skip(t, true));
        return;
      case MAP: {
        const size = this.varint();
        if (size === 0) return;
        const types = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(types >> 4, true);
          this.skip(types & 0x0f, true);
        }
        return;
      }
      case STRUCT:
        this.struct(() => false);
        return;
      default:
        throw new Error(`unknown Thrift type ${type}`);
    }
  }
}
