import { PDFDateString, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The document-level fields each row carries. */
export interface DocumentInfo {
  readonly title: string | null;
  readonly author: string | null;
  readonly producer: string | null;
  /** Milliseconds since the epoch. */
  readonly creationDate: number | null;
}

/** Title, author, producer and creation date from the PDF's info dictionary; what it lacks (or mangles) is null. */
export async function documentInfo(doc: PDFDocumentProxy): Promise<DocumentInfo> {
  const { info } = await doc.getMetadata().catch(() => ({ info: {} }));
  const fields = info as Record<string, unknown>;
  const text = (key: string): string | null => {
    const value = fields[key];
    return typeof value === 'string' && value.trim() !== '' ? value : null;
  };
  const created = text('CreationDate');
  const date = created === null ? null : PDFDateString.toDateObject(created);
  return { title: text('Title'), author: text('Author'), producer: text('Producer'), creationDate: date ? date.getTime() : null };
}
