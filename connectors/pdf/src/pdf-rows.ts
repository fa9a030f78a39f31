import {
  Binary,
  Field,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type DataType,
} from 'apache-arrow';
import { buildColumn } from 'sluice';
import type { DocumentInfo } from './document-info.js';

/** A page of `readPdfs` (page mode). */
export interface PdfPageRow {
  path: string;
  /** 1-based. */
  page: number;
  numPages: number;
  text: string;
  title: string | null;
  author: string | null;
  producer: string | null;
  /** An Arrow timestamp (milliseconds), or null when the PDF does not say. */
  creationDate: Date | null;
}

/** A whole file of `readPdfs` (mode 'document'). */
export type PdfDocumentRow = Omit<PdfPageRow, 'page'>;

/** With `ocr` on: where each page's text comes from, its text layer or OCR of its image. */
export type TextSource = 'pdf' | 'ocr';

/** One page's or document's own values; the file's are added once per block. */
export interface PdfTextRow {
  readonly page: number | null;
  readonly text: string;
  readonly image?: Uint8Array;
  /** With `ocr` on: the page's image for OCR (null when its text layer serves), and so its text's source. */
  readonly ocrImage?: Uint8Array | null;
  readonly textSource?: TextSource;
}

/** The column that carries a page's image from the read task to the OCR stages, which drop it. */
export const OCR_IMAGE_COLUMN = 'ocrImage';

/**
 * The rows of one file (or part of one) as an Arrow table with a fixed schema, so that
 * every task's block has the same columns whatever its file says (a title or not).
 */
export function pdfRowsTable(
  path: string,
  numPages: number,
  info: DocumentInfo,
  rows: readonly PdfTextRow[],
  withPage: boolean,
  withImage: boolean,
  withOcr = false,
): Table {
  const n = rows.length;
  const repeat = <T>(value: T): T[] => new Array<T>(n).fill(value);
  const columns: [string, DataType, boolean, readonly unknown[]][] = [
    ['path', new Utf8(), false, repeat(path)],
    ...(withPage ? [['page', new Int32(), false, rows.map((r) => r.page)] as [string, DataType, boolean, unknown[]]] : []),
    ['numPages', new Int32(), false, repeat(numPages)],
    ['text', new Utf8(), false, rows.map((r) => r.text)],
    ['title', new Utf8(), true, repeat(info.title)],
    ['author', new Utf8(), true, repeat(info.author)],
    ['producer', new Utf8(), true, repeat(info.producer)],
    ['creationDate', new TimestampMillisecond(), true, repeat(info.creationDate)],
    ...(withImage ? [['image', new Binary(), false, rows.map((r) => r.image)] as [string, DataType, boolean, unknown[]]] : []),
    ...(withOcr
      ? ([
          ['textSource', new Utf8(), false, rows.map((r) => r.textSource)],
          [OCR_IMAGE_COLUMN, new Binary(), true, rows.map((r) => r.ocrImage ?? null)],
        ] as [string, DataType, boolean, unknown[]][])
      : []),
  ];
  const fields = columns.map(([name, type, nullable]) => new Field(name, type, nullable));
  // Built from typed arrays: apache-arrow's builders took 1.8% of a PDFium worker's time.
  const children = columns.map(([, type, , values]) => buildColumn(values, type));
  const data = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  const schema = new Schema(fields);
  return new Table(schema, [new RecordBatch(schema, data)]);
}
