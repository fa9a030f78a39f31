/**
 * Bytes read from a pipe and not yet cut into frames: chunks as they came, taken as views
 * (no copy) so that the block a frame goes into is its only copy.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  get length(): number {
    return this.bytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The first `n` bytes, as views into the chunks that hold them. */
  take(n: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let left = n;
    while (left > 0) {
      const head = this.chunks[0];
      if (head.length <= left) {
        parts.push(head);
        this.chunks.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.bytes -= n;
    return parts;
  }

  /** Everything queued as one array (joined once, then kept joined), for a parser that scans it. */
  joined(): Uint8Array {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.bytes)];
    return this.chunks[0] ?? new Uint8Array(0);
  }
}
