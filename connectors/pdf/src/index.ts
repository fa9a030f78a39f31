export { readPdfs, type ReadPdfsOptions, type PdfRowOf } from './read-pdfs.js';
export type { PdfEngineName } from './engines/pdf-engine.js';
export type { PdfPageRow, PdfDocumentRow } from './pdf-rows.js';
export * from './samples/index.js';
