import { getDocument, InvalidPDFException, PasswordResponses, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { readFileBytes, type StorageOptions } from 'sluice';
import { pdfjsDocumentOptions } from './pdfjs-options.js';

/** How far from its end a complete PDF has its `%%EOF` marker (the spec says within the last 1024 bytes). */
const EOF_WINDOW = 1024;

/**
 * A PDF file (local, or on S3 reached with `storage`) opened with pdfjs. What is wrong with a file that cannot be opened is said in
 * the error's message (empty, not a PDF, cut short, encrypted, damaged); the read step adds
 * the file and the fix.
 */
export async function openPdf(
  path: string,
  password: string | null,
  storage: StorageOptions | undefined,
  signal?: AbortSignal,
): Promise<PDFDocumentProxy> {
  const data = new Uint8Array(await readFileBytes(path, storage));
  checkFraming(data);
  const task = getDocument(pdfjsDocumentOptions(data, password ?? undefined));
  // Given up on (its time is out): pdfjs stops parsing once its loading task is destroyed.
  const stop = () => void task.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await task.promise;
  } catch (error) {
    await task.destroy();
    throw new Error(openProblem(error, password), { cause: error });
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** Cheap checks first: pdfjs repairs what it can, and would read a truncated file's first pages as if nothing were missing. */
function checkFraming(data: Uint8Array): void {
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

function openProblem(error: unknown, password: string | null): string {
  // pdfjs does not export PasswordException's class; its name and code are its API.
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name === 'PasswordException') {
    return code === PasswordResponses.INCORRECT_PASSWORD && password !== null
      ? 'the PDF is encrypted and the password given does not open it'
      : 'the PDF is encrypted with a password; pass it as readPdfs(paths, {password})';
  }
  if (error instanceof InvalidPDFException) return `the PDF is damaged beyond repair (pdfjs: ${error.message})`;
  return `pdfjs cannot open it (${error instanceof Error ? error.message : String(error)})`;
}
