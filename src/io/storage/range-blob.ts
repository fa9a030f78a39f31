/**
 * A Blob-shaped view of a file (on S3, or local): `size` is known up front, and the bytes of a slice are
 * fetched only when its `arrayBuffer()` is called. parquet-wasm's `ParquetFile.fromFile` uses
 * no more of a Blob than that (size, slice, arrayBuffer), so it reads a Parquet file on S3 by
 * ranged GETs: the footer, then the column chunks of the row groups asked for.
 */
export class RangeBlob {
  constructor(
    private readonly readRange: (start: number, end: number) => Promise<Uint8Array>,
    readonly size: number,
    private readonly offset = 0,
  ) {}

  slice(start = 0, end = this.size): RangeBlob {
    const from = clamp(start, this.size);
    const to = Math.max(from, clamp(end, this.size));
    return new RangeBlob(this.readRange, to - from, this.offset + from);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.readRange(this.offset, this.offset + this.size);
    // The bytes' own buffer when they fill it (a local read): a copy of 100 MiB is not free.
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** As a Blob for the APIs that take one and use only what this class has. */
  asBlob(): Blob {
    return this as unknown as Blob;
  }
}

/** A Blob slice index: negative counts from the end, as Blob.slice does. */
function clamp(index: number, size: number): number {
  return index < 0 ? Math.max(0, size + index) : Math.min(index, size);
}
