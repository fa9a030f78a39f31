import { ocrImages, type OcrLine, type OcrOptions } from '@sluice/ocr';
import { InvalidOptionError, readFormat, type Dataset, type Paths, type ReadOptions } from 'sluice';
import type { PdfEngineName } from './engines/pdf-engine.js';
import type { PdfReadArgs } from './pdf-read-args.js';
import { OCR_IMAGE_COLUMN, type PdfDocumentRow, type PdfPageRow, type TextSource } from './pdf-rows.js';

export interface ReadPdfsOptions extends Omit<ReadOptions, 'includePaths'> {
  /**
   * The parser: 'pdfium' (default; PDFium compiled to WebAssembly, @embedpdf/pdfium: 3.3-3.8x the
   * pages/s of pdfjs on real manuals, bench/RESULTS.md) or 'pdfjs' (pdfjs-dist). Both give the
   * same rows, errors and page images; their texts differ a little in layout (README).
   */
  engine?: PdfEngineName;
  /** 'page' (default): a row per page; 'document': a row per file, its pages' texts joined by blank lines. */
  mode?: 'page' | 'document';
  /** Pages to read, 1-based and inclusive: `[3, 10]`; a range past the end stops at the last page. Default: all. */
  pages?: readonly [number, number];
  /** The password of encrypted PDFs (one for all files). */
  password?: string;
  /** Adds `image`, the PNG of each page rendered at `scale` (1 = 72 dpi), in page mode. Default: off. */
  renderPages?: { scale: number };
  /**
   * Pages per part of a large PDF (over 256 KiB) in page mode: such a file is split into parts
   * so that no task holds all of its text. A task reads up to three parts or files at once.
   * Default 50.
   */
  pagesPerTask?: number;
  /**
   * OCR of page images (@sluice/ocr: PaddleOCR PP-OCRv4 on actor stages), in page mode:
   * 'auto' reads the pages whose text layer is empty or nearly so (scans), 'always' every page,
   * 'never' (default) none. With OCR on, rows gain `textSource` ('pdf' or 'ocr') and `lines`
   * (the OCR lines with boxes, in the page image's pixels; empty for text-layer pages).
   */
  ocr?: 'auto' | 'always' | 'never';
  /** Resolution pages are rendered at for OCR, in dots per inch. Default 150. */
  ocrDpi?: number;
  /** The OCR stages' actors and settings (detectors, recognizers, numGpus, detector, recognizer). */
  ocrOptions?: Omit<OcrOptions, 'imageColumn' | 'textColumn' | 'linesColumn' | 'dropImage'>;
}

/** What OCR adds to page rows. */
export interface PdfOcrColumns {
  textSource: TextSource;
  lines: OcrLine[];
}

/** Rows of `readPdfs` for its options: pages (with `image` when rendering) or documents. */
export type PdfRowOf<O extends ReadPdfsOptions> = O extends { mode: 'document' }
  ? PdfDocumentRow
  : (O extends { renderPages: { scale: number } } ? PdfPageRow & { image: Uint8Array } : PdfPageRow) &
      (O extends { ocr: 'auto' | 'always' } ? PdfOcrColumns : unknown);

const DEFAULT_ENGINE: PdfEngineName = 'pdfium';
const DEFAULT_PAGES_PER_TASK = 50;
const DEFAULT_OCR_DPI = 150;
/** PDF units per inch: scale 1 renders 72 dpi. */
const PDF_DPI = 72;
/**
 * A file or part that parses for longer is given up on and fails: nothing hangs on a hostile
 * file (a worker stuck without yielding is ended, with the other files of its task).
 */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * PDF files as rows: `{path, page, numPages, text, title, author, producer, creationDate}`
 * per page, parsed with PDFium (or pdfjs-dist) on the task pool, files (and page ranges of large files)
 * spread over the workers. Directories and globs yield `.pdf` files unless `fileExtensions`
 * says otherwise. A file that cannot be read fails the job with a FileReadError naming it,
 * or is logged to errorLog and skipped under `onError: 'skip'`.
 */
export function readPdfs<const O extends ReadPdfsOptions = ReadPdfsOptions>(paths: Paths, options?: O): Dataset<PdfRowOf<O>> {
  const given: ReadPdfsOptions = options ?? {};
  const { engine, mode, pages, password, renderPages, pagesPerTask, ocr, ocrDpi, ocrOptions, ...read } = given;
  const args: PdfReadArgs = {
    engine: oneOf('engine', engine ?? DEFAULT_ENGINE, ['pdfium', 'pdfjs']),
    mode: oneOf('mode', mode ?? 'page', ['page', 'document']),
    pages: pageRange(pages),
    password: optionalString('password', password),
    renderScale: renderScale(renderPages, mode),
    pagesPerTask: pagesPerTask === undefined ? DEFAULT_PAGES_PER_TASK : positive('pagesPerTask', pagesPerTask),
    ocr: ocrMode(ocr, mode),
    ocrScale: (ocrDpi === undefined ? DEFAULT_OCR_DPI : dpi(ocrDpi)) / PDF_DPI,
  };
  // What is left are the reading options, which readFormat checks (and refuses unknown ones by name).
  const pagesRead = readFormat<PdfRowOf<O>>(
    {
      operator: 'ReadPdfs',
      moduleUrl: new URL('./pdf-format.js', import.meta.url).href,
      exportName: 'pdfFormat',
      args: { ...args },
      // pdfjs waits between its steps (file, font and CMap reads): three files per task, parsed
      // interleaved on one thread, keep it busy (+15-20% pages/s, bench/RESULTS.md). PDFium
      // never waits, so it reads them one after another, each file's fonts staying in the cache.
      fragmentsPerTask: 3,
      interleaveFragments: args.engine === 'pdfjs',
    },
    paths,
    { ...read, fileExtensions: read.fileExtensions ?? ['pdf'], timeoutMs: read.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    ['engine', 'mode', 'pages', 'password', 'renderPages', 'pagesPerTask', 'ocr', 'ocrDpi', 'ocrOptions'],
  );
  if (args.ocr === 'never') return pagesRead;
  // Pages needing OCR carry their image to the OCR stages, which put their text in `text`; the others pass through with theirs.
  return ocrImages(pagesRead, {
    ...ocrOptions,
    imageColumn: OCR_IMAGE_COLUMN,
    textColumn: 'text',
    linesColumn: 'lines',
    dropImage: true,
  }) as unknown as Dataset<PdfRowOf<O>>;
}

function ocrMode(ocr: unknown, mode: unknown): PdfReadArgs['ocr'] {
  const value = oneOf('ocr', (ocr as string | undefined) ?? 'never', ['auto', 'always', 'never']);
  if (value !== 'never' && mode === 'document')
    throw new InvalidOptionError(
      'ocr',
      ocr,
      "page mode: OCR reads page images, so leave mode 'document' out (join the pages' texts after)",
    );
  return value;
}

function dpi(value: unknown): number {
  if (!(typeof value === 'number' && value >= 50 && value <= 600)) throw new InvalidOptionError('ocrDpi', value, 'a number from 50 to 600');
  return value;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InvalidOptionError(option, value, allowed.map((a) => `'${a}'`).join(' or '));
  return value as T;
}

function positive(option: string, value: unknown): number {
  if (!(Number.isInteger(value) && (value as number) >= 1)) throw new InvalidOptionError(option, value, 'a whole number >= 1');
  return value as number;
}

function optionalString(option: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new InvalidOptionError(option, value, 'a string');
  return value;
}

function pageRange(pages: unknown): [number, number] {
  if (pages === undefined) return [1, Number.MAX_SAFE_INTEGER];
  const fix = 'a range of 1-based pages [first, last] with 1 <= first <= last, e.g. [1, 10]';
  if (!Array.isArray(pages) || pages.length !== 2) throw new InvalidOptionError('pages', pages, fix);
  const [first, last] = pages as unknown[];
  if (!(Number.isInteger(first) && Number.isInteger(last) && (first as number) >= 1 && (last as number) >= (first as number)))
    throw new InvalidOptionError('pages', pages, fix);
  return [first as number, last as number];
}

function renderScale(render: unknown, mode: unknown): number | null {
  if (render === undefined) return null;
  const scale = typeof render === 'object' && render !== null && 'scale' in render ? render.scale : undefined;
  if (typeof scale !== 'number' || !(scale > 0 && scale <= 10))
    throw new InvalidOptionError('renderPages', render, '{scale} with 0 < scale <= 10 (1 renders at 72 dpi)');
  if (mode === 'document')
    throw new InvalidOptionError('renderPages', render, "page mode: images are per page, so leave mode 'document' out");
  return scale;
}
