import type { FileFormatModule, FilePart, Fragment, ReadTask, StorageOptions } from 'sluice';
import type { CountEnginePages, EngineDocument, OpenEngineDocument, PdfEngineName } from './engines/pdf-engine.js';
import { countByOpening } from './engines/count-by-opening.js';
import type { PdfReadArgs } from './pdf-read-args.js';
import { pdfRowsTable, type PdfTextRow } from './pdf-rows.js';
import { openSharedDocument } from './shared-documents.js';

// An engine is imported when a file is first opened: the main thread, which plans small files by
// their size alone, loads neither, and a worker only the one its job asked for. Kept once loaded:
// import() of a loaded module still costs a trip through the module loader, for every file.
const engines = keptOnceLoaded<OpenEngineDocument>({
  pdfium: async () => (await import('./engines/pdfium-engine.js')).openPdfiumDocument,
  pdfjs: async () => (await import('./engines/pdfjs-engine.js')).openPdfjsDocument,
});
// Page counters likewise (the main thread counts every large file): PDFium's reads only the blocks counting needs.
const pageCounters = keptOnceLoaded<CountEnginePages>({
  pdfium: async () => (await import('./engines/pdfium-page-count.js')).countPdfiumPages,
  pdfjs: async () => countByOpening(await engines('pdfjs')),
});

function keptOnceLoaded<T>(loaders: Record<PdfEngineName, () => Promise<T>>): (name: PdfEngineName) => Promise<T> {
  const loaded: Partial<Record<PdfEngineName, Promise<T>>> = {};
  return (name) => (loaded[name] ??= loaders[name]());
}

/**
 * Files up to this size are read whole by one task without being opened on the main thread
 * first: the text of so few bytes is small anyway (a few MB at most, even compressed). Larger
 * ones have their pages counted there (PDFium reading only the blocks that takes) and are
 * split into ranges of `pagesPerTask`.
 */
const PLAN_BYTES = 256 * 1024;
const PLAN_TIMEOUT_MS = 10_000;

/** readPdfs' format: page ranges planned on the main thread, pages parsed on the workers. */
export const pdfFormat: FileFormatModule<PdfReadArgs> = {
  async plan(path, args, { size, storage }) {
    if (args.mode === 'document' || size <= PLAN_BYTES) return [];
    const numPages = await countPages(args.engine, path, args.password, storage);
    const [first, last] = clip(args.pages, numPages);
    const parts: FilePart[] = [];
    for (let start = first; start <= last; start += args.pagesPerTask)
      parts.push({ first: start, last: Math.min(last, start + args.pagesPerTask - 1) });
    return parts;
  },

  async read(task, args) {
    const { fragment } = task;
    const open = async () => (await engines(args.engine))(fragment.path, args.password, task.read.options.storage, task.signal);
    // A part of a large file shares its document with the file's other parts read by this worker.
    const key = fragment.kind === 'part' ? JSON.stringify([args.engine, args.password, fragment.path]) : null;
    const lease = await openSharedDocument(key, open);
    const { doc } = lease;
    // Given up on (its time is out): destroying the document stops the engine's work on it.
    const stop = () => void lease.discard();
    task.signal.addEventListener('abort', stop, { once: true });
    try {
      const info = await doc.info();
      const rows = await readPages(doc, pagesOf(fragment, args, doc.numPages), task, args);
      if (args.mode === 'document') {
        const whole: PdfTextRow = { page: null, text: rows.map((r) => r.text).join('\n\n') };
        return pdfRowsTable(fragment.path, doc.numPages, info, [whole], false, false);
      }
      return pdfRowsTable(fragment.path, doc.numPages, info, rows, true, args.renderScale !== null, args.ocr !== 'never');
    } finally {
      task.signal.removeEventListener('abort', stop);
      await lease.release();
    }
  },
};

/**
 * A file's page count. Counting gives up after PLAN_TIMEOUT_MS (the main thread must not wait
 * on one file): the file is then read whole by one task, where the read's limit applies.
 */
async function countPages(
  engine: PdfEngineName,
  path: string,
  password: string | null,
  storage: StorageOptions | undefined,
): Promise<number> {
  return (await pageCounters(engine))(path, password, storage, AbortSignal.timeout(PLAN_TIMEOUT_MS));
}

/**
 * The pages' texts, one page at a time (each page's parsed state is dropped after it). A page
 * that cannot be read is a bad record: it fails the file, or is skipped under onError 'skip'.
 */
async function readPages(
  doc: EngineDocument,
  [first, last]: readonly [number, number],
  task: ReadTask,
  args: PdfReadArgs,
): Promise<PdfTextRow[]> {
  const limit = args.mode === 'document' ? Infinity : (task.read.limit ?? Infinity);
  const rows: PdfTextRow[] = [];
  for (let page = first; page <= last && rows.length < limit; page++) {
    try {
      const { text, image } = await doc.readPage(page, args.renderScale);
      rows.push({ page, text, image, ...(args.ocr === 'never' ? {} : await forOcr(doc, page, text, args)) });
    } catch (error) {
      // Pages fail once the document is destroyed for its time: that is not theirs to report.
      task.signal.throwIfAborted();
      task.badRecord({ page }, `page ${page} cannot be read (${error instanceof Error ? error.message : String(error)})`, error);
    }
    // PDFium reads a page without yielding to the event loop: between pages its timers run (the
    // read's time limit among them) and a read given up on stops here.
    await new Promise((resolve) => setImmediate(resolve));
    task.signal.throwIfAborted();
  }
  return rows;
}

/**
 * A page with fewer characters than this in its text layer (spaces aside) is taken for a scan
 * under ocr 'auto': an image-only page has none, and a scanner's stamp or a page number a few.
 */
const SCANNED_BELOW_CHARS = 20;

/** With ocr on: the page rendered for OCR when it needs it ('always', or a text layer nearly empty), and its text's source. */
async function forOcr(
  doc: EngineDocument,
  page: number,
  text: string,
  args: PdfReadArgs,
): Promise<Pick<PdfTextRow, 'ocrImage' | 'textSource'>> {
  const scanned = text.replace(/\s+/g, '').length < SCANNED_BELOW_CHARS;
  if (args.ocr === 'auto' && !scanned) return { ocrImage: null, textSource: 'pdf' };
  const { image } = await doc.readPage(page, args.ocrScale);
  return { ocrImage: image ?? null, textSource: 'ocr' };
}

function pagesOf(fragment: Fragment, args: PdfReadArgs, numPages: number): [number, number] {
  if (fragment.kind === 'part') return clip([Number(fragment.part.first), Number(fragment.part.last)], numPages);
  return clip(args.pages, numPages);
}

/** A requested range within the document's pages (empty, first > last, when it starts past the end). */
function clip([first, last]: readonly [number, number], numPages: number): [number, number] {
  return [first, Math.min(last, numPages)];
}
