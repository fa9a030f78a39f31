/**
 * Writes text PDFs with pdf-lib: real paragraphs, word-wrapped into lines, with document
 * metadata, in the standard Helvetica (WinAnsi only) or in LiberationSans embedded from
 * pdfjs-dist's own `standard_fonts/` (ligature characters, Latin Extended, Greek, Cyrillic).
 * Returns the lines as drawn, from which a test or benchmark knows the expected text.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { pdfjsAssetDirs } from '../pdfjs-options.js';

export type TextPdfFont = 'helvetica' | 'liberation';

/** One page of input: its paragraphs, each a string that is wrapped to the column width. */
export interface TextPdfPage {
  readonly paragraphs: readonly string[];
}

export interface WriteTextPdfOptions {
  readonly title?: string;
  readonly author?: string;
  readonly subject?: string;
  readonly keywords?: readonly string[];
  /** Default 'sluice writeTextPdf'. */
  readonly producer?: string;
  /** Default 2024-01-01T00:00:00Z, so that the same input gives the same bytes (with Helvetica: pdf-lib names an embedded subset font with a random tag). */
  readonly creationDate?: Date;
  /** Default 'helvetica'; 'liberation' for text outside WinAnsi (ﬁ, ﬂ, Ł, α, ж). */
  readonly font?: TextPdfFont;
  /** Points; default 11. */
  readonly fontSize?: number;
  /** Baseline to baseline within a paragraph, in points; default 1.25 × fontSize. */
  readonly lineHeight?: number;
  /**
   * Extra space between paragraphs, in points; default 2.75 × fontSize. Text extractors that
   * follow pdftotext print a blank line between paragraphs only when the gap between them is
   * more than 2.5 font sizes; at most that they only break the line.
   */
  readonly paragraphSpacing?: number;
  /** Points; default A4, [595.28, 841.89]. */
  readonly pageSize?: readonly [number, number];
  /** Points on every side; default 72. */
  readonly margin?: number;
  /** Default 1; text flows down the first column, then the next. */
  readonly columns?: number;
  /** Points between columns; default 2 × fontSize. */
  readonly columnGap?: number;
  /** Break a long lowercase word that does not fit at a line end: "exam-" / "ple". Default false. */
  readonly hyphenate?: boolean;
}

/** A piece of a paragraph within one column of one page, as the lines drawn. */
export type DrawnParagraph = readonly string[];

export interface DrawnPage {
  /** In reading order: column by column, top to bottom; a paragraph cut by a column or page end is two pieces. */
  readonly paragraphs: readonly DrawnParagraph[];
}

export interface WrittenTextPdf {
  readonly path: string;
  /** More than the input's pages where a page's paragraphs overflowed onto a next page. */
  readonly pages: readonly DrawnPage[];
}

const A4: readonly [number, number] = [595.28, 841.89];
const DEFAULT_DATE = new Date('2024-01-01T00:00:00Z');
const HYPHENATABLE = /^[a-z]{6,}$/;

export const liberationSansPath = path.join(pdfjsAssetDirs.standardFonts, 'LiberationSans-Regular.ttf');

/** Writes a PDF of these pages (a page is its paragraphs, or `{paragraphs}`) to `file`. */
export async function writeTextPdf(
  file: string,
  pages: readonly (TextPdfPage | readonly string[])[],
  options: WriteTextPdfOptions = {},
): Promise<WrittenTextPdf> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  setMetadata(doc, options);
  const font = await embedFont(doc, options.font ?? 'helvetica');
  const layout = new Layout(doc, font, options);
  for (const page of pages) {
    layout.newPage();
    const paragraphs = 'paragraphs' in page ? page.paragraphs : page;
    for (const paragraph of paragraphs) layout.paragraph(paragraph);
  }
  await writeFile(file, await doc.save());
  return { path: file, pages: layout.drawn };
}

function setMetadata(doc: PDFDocument, options: WriteTextPdfOptions): void {
  if (options.title !== undefined) doc.setTitle(options.title);
  if (options.author !== undefined) doc.setAuthor(options.author);
  if (options.subject !== undefined) doc.setSubject(options.subject);
  if (options.keywords !== undefined) doc.setKeywords([...options.keywords]);
  doc.setProducer(options.producer ?? 'sluice writeTextPdf');
  doc.setCreator('sluice');
  const date = options.creationDate ?? DEFAULT_DATE;
  doc.setCreationDate(date);
  doc.setModificationDate(date);
}

let liberationBytes: Uint8Array | undefined;

async function embedFont(doc: PDFDocument, font: TextPdfFont): Promise<PDFFont> {
  if (font === 'helvetica') return doc.embedFont(StandardFonts.Helvetica);
  if (font !== 'liberation') throw new Error(`writeTextPdf: font must be 'helvetica' or 'liberation', got ${JSON.stringify(font)}`);
  doc.registerFontkit(fontkit);
  liberationBytes ??= readFileSync(liberationSansPath);
  // A subset keeps a file at ~10 KB instead of ~95 KB.
  return doc.embedFont(liberationBytes, { subset: true });
}

/** Places lines top to bottom, column by column, page by page, recording what it drew. */
class Layout {
  readonly drawn: { paragraphs: string[][] }[] = [];
  private readonly size: number;
  private readonly leading: number;
  private readonly paragraphGap: number;
  private readonly pageSize: readonly [number, number];
  private readonly margin: number;
  private readonly columns: number;
  private readonly columnGap: number;
  private readonly columnWidth: number;
  private readonly characters: ReadonlySet<number>;
  private page: PDFPage | undefined;
  private column = 0;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly options: WriteTextPdfOptions,
  ) {
    this.size = positive('fontSize', options.fontSize ?? 11);
    this.leading = positive('lineHeight', options.lineHeight ?? 1.25 * this.size);
    this.paragraphGap = options.paragraphSpacing ?? 2.75 * this.size;
    this.pageSize = options.pageSize ?? A4;
    this.margin = options.margin ?? 72;
    this.columns = positive('columns', options.columns ?? 1);
    this.columnGap = options.columnGap ?? 2 * this.size;
    this.characters = new Set(font.getCharacterSet());
    this.columnWidth = (this.pageSize[0] - 2 * this.margin - (this.columns - 1) * this.columnGap) / this.columns;
    if (!(this.columnWidth > this.size))
      throw new Error(`writeTextPdf: no room for text between margins of ${this.margin} on a page ${this.pageSize[0]} wide`);
  }

  newPage(): void {
    this.page = this.doc.addPage([this.pageSize[0], this.pageSize[1]]);
    this.drawn.push({ paragraphs: [] });
    this.column = 0;
    this.y = this.top();
  }

  paragraph(text: string): void {
    this.checkCharacters(text);
    let piece: string[] | undefined;
    for (const line of wrap(text, this.columnWidth, (s) => this.font.widthOfTextAtSize(s, this.size), this.options.hyphenate === true)) {
      if (this.y < this.margin) {
        this.nextColumn();
        piece = undefined;
      }
      if (!piece) {
        piece = [];
        this.drawn[this.drawn.length - 1].paragraphs.push(piece);
      }
      this.draw(line);
      piece.push(line);
      this.y -= this.leading;
    }
    this.y -= this.paragraphGap;
  }

  /** pdf-lib would draw a missing glyph as nothing (a .notdef) and the text would read "o ce". */
  private checkCharacters(text: string): void {
    for (const char of text) {
      const code = char.codePointAt(0)!;
      if (!this.characters.has(code) && !/\s/.test(char)) {
        const font = this.options.font ?? 'helvetica';
        const hint = font === 'helvetica' ? "; font: 'liberation' covers more" : '';
        throw new Error(
          `writeTextPdf: the ${font} font has no glyph for ${JSON.stringify(char)} (U+${code.toString(16).toUpperCase().padStart(4, '0')})${hint}`,
        );
      }
    }
  }

  private top(): number {
    return this.pageSize[1] - this.margin - this.size;
  }

  private nextColumn(): void {
    if (++this.column < this.columns) this.y = this.top();
    else this.newPage();
  }

  private draw(line: string): void {
    const x = this.margin + this.column * (this.columnWidth + this.columnGap);
    this.page!.drawText(line, { x, y: this.y, size: this.size, font: this.font });
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new Error(`writeTextPdf: ${name} must be positive, got ${value}`);
  return value;
}

/** Greedy word wrap; with `hyphenate`, a long lowercase word is split as late as fits, "exam-" then "ple". */
function wrap(text: string, width: number, measure: (s: string) => number, hyphenate: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    const joined = line === '' ? word : `${line} ${word}`;
    if (measure(joined) <= width) {
      line = joined;
      continue;
    }
    if (hyphenate && line !== '' && HYPHENATABLE.test(word)) {
      let split = 0;
      for (let k = word.length - 3; k >= 3 && split === 0; k--) if (measure(`${line} ${word.slice(0, k)}-`) <= width) split = k;
      if (split > 0) {
        lines.push(`${line} ${word.slice(0, split)}-`);
        line = word.slice(split);
        continue;
      }
    }
    if (line !== '') lines.push(line);
    line = word; // a word wider than the column overflows it
  }
  if (line !== '') lines.push(line);
  return lines;
}
