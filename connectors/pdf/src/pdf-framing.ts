/** How far from its end a complete PDF has its `%%EOF` marker (the spec says within the last 1024 bytes). */
const EOF_WINDOW = 1024;

/**
 * Cheap checks before any engine parses the bytes: both repair what they can, and would read a
 * truncated file's first pages as if nothing were missing.
 */
export function checkFraming(data: Uint8Array): void {
  checkEnds(data.length, data.subarray(0, EOF_WINDOW), data.subarray(Math.max(0, data.length - EOF_WINDOW)));
}

/** checkFraming for a file of `size` bytes not read yet: `read(into, position)` fills `into` from there (its first and last bytes). */
export function checkFramingOf(size: number, read: (into: Uint8Array, position: number) => number): void {
  const window = (position: number) => {
    const bytes = new Uint8Array(Math.min(size, EOF_WINDOW));
    return bytes.subarray(0, read(bytes, position));
  };
  checkEnds(size, window(0), window(Math.max(0, size - EOF_WINDOW)));
}

function checkEnds(size: number, head: Uint8Array, tail: Uint8Array): void {
  if (size === 0) throw new Error('the file is empty (0 bytes)');
  const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const start = latin1(head);
  if (!start.includes('%PDF-'))
    throw new Error(`not a PDF: it does not start with %PDF- (it starts with ${JSON.stringify(start.slice(0, 16))})`);
  if (!latin1(tail).includes('%%EOF'))
    throw new Error(
      `the PDF is truncated: no %%EOF marker in its last ${EOF_WINDOW} bytes (an interrupted download or copy; ${size} bytes are there)`,
    );
}
