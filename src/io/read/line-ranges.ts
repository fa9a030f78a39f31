import { open } from 'node:fs/promises';

/** One line of a file: its text (without the line break) and the byte offset where it starts. */
export interface Line {
  readonly text: string;
  readonly offset: number;
}

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The lines that start inside the byte range [start, end) of a file, read a chunk at a time.
 * Byte ranges split a file into read tasks without knowing where its lines are: a range
 * owns every line that starts inside it, so the line cut by a range's start belongs to the
 * range before, and a range's last line may run past `end`. A UTF-8 BOM at the start of
 * the file is dropped; a `\r` before a line break is too.
 */
export async function* linesInRange(path: string, start: number, end: number): AsyncGenerator<Line> {
  const file = await open(path, 'r');
  try {
    // Reading from the byte before `start` tells whether a line starts exactly at `start`.
    let position = Math.max(0, start - 1);
    let buffer = Buffer.alloc(0);
    let bufferOffset = position;
    let lineStart = start === 0 ? 0 : -1; // -1: the first line break is still to be found
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, position);
      position += bytesRead;
      const atEnd = bytesRead === 0;
      const keepFrom = lineStart < 0 ? buffer.length : lineStart - bufferOffset;
      buffer = Buffer.concat([buffer.subarray(keepFrom), chunk.subarray(0, bytesRead)]);
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
        const from = lineStart - bufferOffset;
        const found = buffer.indexOf(NEWLINE, from);
        if (found < 0) {
          if (!atEnd) break;
          if (from < buffer.length) yield { text: decode(buffer, from, buffer.length), offset: lineStart };
          return;
        }
        yield { text: decode(buffer, from, found), offset: lineStart };
        lineStart = bufferOffset + found + 1;
      }
      if (lineStart >= end || atEnd) return;
    }
  } finally {
    await file.close();
  }
}

function decode(buffer: Buffer, from: number, to: number): string {
  return buffer.toString('utf8', from, to > from && buffer[to - 1] === CARRIAGE_RETURN ? to - 1 : to);
}

/**
 * The 1-based line number of the line starting at `offset`: counts the line breaks before
 * it. Only errors need it, so a read task that meets no bad record never pays for it.
 */
export async function lineNumberAt(path: string, offset: number): Promise<number> {
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let breaks = 0;
    for (let position = 0; position < offset;) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(CHUNK_BYTES, offset - position), position);
      if (bytesRead === 0) break;
      for (let i = chunk.indexOf(NEWLINE); i >= 0 && i < bytesRead; i = chunk.indexOf(NEWLINE, i + 1)) breaks++;
      position += bytesRead;
    }
    return breaks + 1;
  } finally {
    await file.close();
  }
}
