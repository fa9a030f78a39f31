/** How far from its end a complete PDF has its `%%EOF` marker (the spec says within the last 1024 bytes). */
const EOF_WINDOW = 1024;

/**
 * Cheap checks before any engine parses the bytes: both repair what they can, and would read a
 * truncated file's first pages as if nothing were missing.
 */
export function checkFraming(data: Uint8Array): void {
  if (data.length === 0) throw new Error('the file is empty (0 bytes)');
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, EOF_WINDOW)).toString('latin1');
  if (!head.includes('%PDF-'))
    throw new Error(`not a PDF: it does not start with %PDF- (it starts with ${JSON.stringify(head.slice(0, 16))})`);
  const tail = Buffer.from(
    data.buffer,
    data.byteOffset + Math.max(0, data.length - EOF_WINDOW),
    Math.min(data.length, EOF_WINDOW),
  ).toString('latin1');
  if (!tail.includes('%%EOF'))
    throw new Error(
      `the PDF is truncated: no %%EOF marker in its last ${EOF_WINDOW} bytes (an interrupted download or copy; ${data.length} bytes are there)`,
    );
}
