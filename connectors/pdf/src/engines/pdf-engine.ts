import type { StorageOptions } from 'sluice';
import type { DocumentInfo } from '../document-info.js';

/** The libraries readPdfs can parse with: PDFium (WebAssembly) or pdfjs-dist. */
export type PdfEngineName = 'pdfium' | 'pdfjs';

/** One page as an engine gives it: the text laid out as pdftotext does, and the PNG when asked for. */
export interface EnginePage {
  readonly text: string;
  readonly image?: Uint8Array;
}

/** An open document of either engine; destroy() frees what the engine holds for it. */
export interface EngineDocument {
  readonly numPages: number;
  info(): Promise<DocumentInfo>;
  /** Page `page` (1-based); the image only when `renderScale` is not null. Throws when that page cannot be read. */
  readPage(page: number, renderScale: number | null): Promise<EnginePage>;
  destroy(): Promise<void>;
}

/** Which file an engine opens, and how: local, or on S3 with `storage`; `signal` gives up on it. */
export type EngineFile = [path: string, password: string | null, storage: StorageOptions | undefined, signal?: AbortSignal];

/**
 * Opens a file or throws an Error whose message says what is wrong with it (empty, not a PDF,
 * truncated, encrypted, damaged); the read step adds the file and the fix.
 */
export type OpenEngineDocument = (...file: EngineFile) => Promise<EngineDocument>;

/** A file's number of pages, or an Error as an opening's: what planning a large file needs, for less than opening it. */
export type CountEnginePages = (...file: EngineFile) => Promise<number>;
