/**
 * Bytes read from a pipe and not yet cut into frames, copied as they come into one growing
 * buffer: the pipe's chunks then die young (held across reads, V8 promotes them and only a
 * full collection frees them), and a parser scans contiguous bytes however many reads an
 * image took (growth doubles, so copying stays linear).
 */
export class ByteQueue {
  private buffer = new Uint8Array(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buffer.length) this.grow(chunk.length);
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The queued bytes, as a view (valid until the next push or take). */
  view(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  /** The first `n` bytes, copied out: the frame's own memory. */
  take(n: number): Uint8Array {
    const out = Buffer.allocUnsafeSlow(n);
    out.set(this.buffer.subarray(this.start, this.start + n));
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  /** Up to `n` bytes into `target` at `offset`; returns how many were moved. */
  moveInto(target: Uint8Array, offset: number, n: number): number {
    const count = Math.min(n, this.length);
    target.set(this.buffer.subarray(this.start, this.start + count), offset);
    this.start += count;
    if (this.start === this.end) this.start = this.end = 0;
    return count;
  }

  private grow(more: number): void {
    const live = this.length;
    const size = Math.max(64 * 1024, 2 * (live + more));
    if (size <= this.buffer.length) {
      this.buffer.copyWithin(0, this.start, this.end);
    } else {
      const next = new Uint8Array(size);
      next.set(this.buffer.subarray(this.start, this.end), 0);
      this.buffer = next;
    }
    this.start = 0;
    this.end = live;
  }
}
