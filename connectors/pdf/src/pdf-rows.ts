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
  const values: Record<string, () => readonly unknown[]> = {
    path: () => repeat(path),
    page: () => rows.map((r) => r.page),
    numPages: () => repeat(numPages),
    text: () => rows.map((r) => r.text),
    title: () => repeat(info.title),
    author: () => repeat(info.author),
    producer: () => repeat(info.producer),
    creationDate: () => repeat(info.creationDate),
    image: () => rows.map((r) => r.image),
    textSource: () => rows.map((r) => r.textSource),
    [OCR_IMAGE_COLUMN]: () => rows.map((r) => r.ocrImage ?? null),
  };
  const schema = pdfSchema(withPage, withImage, withOcr);
  // Built from typed arrays: apache-arrow's builders took 1.8% of a PDFium worker's time.
  const children = schema.fields.map((field) => buildColumn(values[field.name](), field.type as DataType));
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

const schemas = new Map<string, Schema>();

/** The schema of a set of columns, made once: a task's parts then share one, and their blocks join without a check of each column. */
function pdfSchema(withPage: boolean, withImage: boolean, withOcr: boolean): Schema {
  const key = `${withPage}${withImage}${withOcr}`;
  let schema = schemas.get(key);
  if (schema === undefined) {
    const fields: Field[] = [
      new Field('path', new Utf8(), false),
      ...(withPage ? [new Field('page', new Int32(), false)] : []),
      new Field('numPages', new Int32(), false),
      new Field('text', new Utf8(), false),
      new Field('title', new Utf8(), true),
      new Field('author', new Utf8(), true),
      new Field('producer', new Utf8(), true),
      new Field('creationDate', new TimestampMillisecond(), true),
      ...(withImage ? [new Field('image', new Binary(), false)] : []),
      ...(withOcr ? [new Field('textSource', new Utf8(), false), new Field(OCR_IMAGE_COLUMN, new Binary(), true)] : []),
    ];
    schema = new Schema(fields);
    schemas.set(key, schema);
  }
  return schema;
}
