import type { PdfEngineName } from './engines/pdf-engine.js';

/** readPdfs' options as its read tasks get them (plain data, sent to the workers). */
export interface PdfReadArgs {
  readonly engine: PdfEngineName;
  readonly mode: 'page' | 'document';
  /** 1-based, inclusive. */
  readonly pages: readonly [number, number];
  readonly password: string | null;
  /** Scale of page images, or null for none. */
  readonly renderScale: number | null;
  readonly pagesPerTask: number;
  /** Which pages are rendered for OCR ('never': none), and at what scale. */
  readonly ocr: 'auto' | 'always' | 'never';
  readonly ocrScale: number;
}
