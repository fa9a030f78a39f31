import type { ObjectStore } from '../storage/index.js';

/** One line of a file: its text (without the line break) and the byte offset where it starts. */
export interface Line {
  readonly text: string;
  readonly offset: number;
}

/** Bytes read past a range's end at first, for its last line; a longer line is read on by windows of this size. */
const TAIL_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The lines that start inside the byte range [start, end) of a file, read as a stream.
 * Byte ranges split a file into read tasks without knowing where its lines are: a range
 * owns every line that starts inside it, so the line cut by a range's start belongs to the
 * range before, and a range's last line may run past `end`. A UTF-8 BOM at the start of
 * the file is dropped; a `\r` before a line break is too.
 */
export async function* linesInRange(store: ObjectStore, path: string, start: number, end: number): AsyncGenerator<Line> {
  // Reading from the byte before `start` tells whether a line starts exactly at `start`.
  const from = Math.max(0, start - 1);
  const chunks = rangeChunks(store, path, from, end === Infinity ? Infinity : end + TAIL_BYTES);
  try {
    let buffer = Buffer.alloc(0);
    let bufferOffset = from;
    let lineStart = start === 0 ? 0 : -1; // -1: the first line break is still to be found
    for (;;) {
      const next = await chunks.next();
      const atEnd = next.done === true;
      const keepFrom = lineStart < 0 ? buffer.length : lineStart - bufferOffset;
      buffer = atEnd ? buffer.subarray(keepFrom) : Buffer.concat([buffer.subarray(keepFrom), next.value]);
      bufferOffset += keepFrom;
      if (lineStart < 0) {
        const found = buffer.indexOf(NEWLINE);
        if (found < 0) {
          if (atEnd) return;
          continue;
        }
        lineStart = bufferOffset + found + 1;
      }
      if (lineStart === 0 && BOM.every((byte, i) => buffer[i] === byte)) lineStart = BOM.length;
      while (lineStart < end) {
        const at = lineStart - bufferOffset;
        const found = buffer.indexOf(NEWLINE, at);
        if (found < 0) {
          if (!atEnd) break;
          if (at < buffer.length) yield { text: decode(buffer, at, buffer.length), offset: lineStart };
          return;
        }
        yield { text: decode(buffer, at, found), offset: lineStart };
        lineStart = bufferOffset + found + 1;
      }
      if (lineStart >= end || atEnd) return;
    }
  } finally {
    await chunks.return(undefined);
  }
}

/**
 * The file's bytes from `from` to its end, as chunks: first up to `firstEnd` (one ranged GET
 * on S3), then by windows of TAIL_BYTES while the file goes on, so that a range's reader
 * fetches little past what it owns.
 */
async function* rangeChunks(store: ObjectStore, path: string, from: number, firstEnd: number): AsyncGenerator<Buffer> {
  let position = from;
  for (let until = firstEnd; ; until = position + TAIL_BYTES) {
    const stream = await store.readStream(path, position, until === Infinity ? undefined : until);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        position += chunk.length;
        yield chunk;
      }
    } finally {
      stream.destroy();
    }
    if (position < until) return; // the file ended inside the window
  }
}

function decode(buffer: Buffer, from: number, to: number): string {
  return buffer.toString('utf8', from, to > from && buffer[to - 1] === CARRIAGE_RETURN ? to - 1 : to);
}

/**
 * The 1-based line number of the line starting at `offset`: counts the line breaks before
 * it. Only errors need it, so a read task that meets no bad record never pays for it.
 */
export async function lineNumberAt(store: ObjectStore, path: string, offset: number): Promise<number> {
  const stream = await store.readStream(path, 0, offset);
  let breaks = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, i + 1)) breaks++;
    }
  } finally {
    stream.destroy();
  }
  return breaks + 1;
}
