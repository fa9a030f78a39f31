/**
 * Streams that a thread gave back once it had read them (an actor returns each message's input
 * streams with its results), kept for the next inputs packed for that thread. A stream filled
 * again costs none of a new buffer's page faults, and adds no external memory for V8 to count
 * towards its next collection: packing a 256 x 384 float batch is a 384 KiB copy per call.
 */
export class SpareStreams {
  private readonly spare: ArrayBuffer[] = [];
  private bytes = 0;

  /**
   * At most `max` buffers and `maxBytes` in all are kept (the memory budget does not count them);
   * past either, the oldest go.
   */
  constructor(
    private readonly max = 8,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  giveBack(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === 0) continue;
      this.spare.push(buffer);
      this.bytes += buffer.byteLength;
    }
    while (this.spare.length > this.max || this.bytes > this.maxBytes) {
      const oldest = this.spare.shift();
      if (oldest === undefined) break;
      this.bytes -= oldest.byteLength;
    }
  }

  /**
   * A spare buffer of `bytes` up to twice as many, or null: a much larger one would travel with
   * memory that a small pack does not need.
   */
  take(bytes: number): ArrayBuffer | null {
    const index = this.spare.findIndex((buffer) => buffer.byteLength >= bytes && buffer.byteLength <= 2 * bytes + SLACK_BYTES);
    if (index < 0) return null;
    const [buffer] = this.spare.splice(index, 1);
    this.bytes -= buffer.byteLength;
    return buffer;
  }
}

/** Small packs may reuse a buffer this much larger than twice their size. */
const SLACK_BYTES = 64 * 1024;
