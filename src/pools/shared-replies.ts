import type { PackedStream } from '../blocks/packed-blocks.js';

/**
 * Whether workers and actors may lay out their replies in shared memory (packed-blocks.ts,
 * sharedStream), and the count that decides it. V8 counts every ArrayBuffer that reaches the
 * main thread towards its next mark-compact; shared memory it does not count, and so neither
 * collects it any sooner: a reply's shared stream is freed at whichever collection finds it
 * dead. This counts the bytes of the shared streams the main thread has received and V8 has
 * not yet collected (a FinalizationRegistry); past the job's bound (a quarter of its memory
 * budget, at most 64 MiB), replies come in moved ArrayBuffers again, which V8 counts, so that
 * its next collection comes and frees the shared ones, and then replies are shared again. At
 * batch 256, bench/onnx's main thread ran 8-17 mark-compacts per run with the model's outputs
 * moved to it and 2-4 with them shared under the bound (bench/RESULTS.md).
 */
const MAX_SHARED_REPLY_BYTES = 64 * 1024 * 1024;

let uncollected = 0;
const collected = new FinalizationRegistry<number>((bytes) => (uncollected -= bytes));

/** The most bytes of shared replies a job with this memory budget lets wait for collection. */
export function sharedReplyLimit(memoryBudget: number): number {
  return Math.min(MAX_SHARED_REPLY_BYTES, Math.floor(memoryBudget / 4));
}

/** Whether the next reply may come in shared memory, for a job whose limit is `limitBytes`. */
export function sharedRepliesAllowed(limitBytes: number): boolean {
  return uncollected < limitBytes;
}

/** Counts a reply's shared streams, received on this thread, until V8 collects them. */
export function receivedReplyStreams(streams: readonly PackedStream[]): void {
  for (const stream of streams) {
    if (!(stream instanceof SharedArrayBuffer)) continue;
    uncollected += stream.byteLength;
    collected.register(stream, stream.byteLength);
  }
}
