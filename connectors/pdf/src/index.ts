export { readPdfs, type ReadPdfsOptions, type PdfRowOf, type PdfOcrColumns } from './read-pdfs.js';
export type { PdfEngineName } from './engines/pdf-engine.js';
export type { PdfPageRow, PdfDocumentRow, TextSource } from './pdf-rows.js';
export * from './samples/index.js';
