import { getDocument, InvalidPDFException, PasswordResponses, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { readFileBytes, type StorageOptions } from 'sluice';
import { checkFraming } from './pdf-framing.js';
import { pdfjsDocumentOptions } from './pdfjs-options.js';

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
