import type { PdfiumHandle } from './pdfium-module.js';

// pdftotext's word-break rules (poppler's TextOutputDev.cc), in fractions of the font size.
/** A gap wider than this between two characters is a word space... */
const MIN_WORD_BREAK_SPACE = 0.1;
/** ...and one wider than this too where the font size changes (texinfo's "*ctx" in a smaller code font, then ","). */
const MAX_CHAR_SPACING = 0.03;
/** Characters whose baselines are closer than this are on one line. */
const MAX_INTRA_LINE_DELTA = 0.5;
/** A line this far below the one before it (between their boxes) starts a paragraph: a blank line. */
const MAX_BLOCK_SPACING = 2.5;

const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;
/**
 * PDFium's code for a hyphen that ends a line (FPDFText_IsHyphen): the next line's first character
 * follows it without a line break, so dropping it joins the word as pdftotext does. And its code
 * for a character it could not map.
 */
const PDFIUM_HYPHEN = 0x02;
const NON_CHARACTER = 0xfffe;

/** What poppler removes at a line end (`isHyphenChar`, the soft hyphen). */
const LINE_END_HYPHEN = /(\p{L})[-\u2010\u00ad\ufe63\uff0d]\n(?=\p{L})/gu;
const LIGATURES = /[\ufb00-\ufb06]/g;

/**
 * The page's text as UTF-16 code units, written into one buffer a thread reuses for every page
 * (it reads one page at a time) and decoded once at the end: appending each character to a string
 * left ~300 MB of garbage per 9 million characters, whose collection ran on the helper threads
 * that the other worker's core needs.
 */
class PageUnits {
  private units = new Uint16Array(1 << 16);
  length = 0;

  push(unit: number): void {
    if (this.length === this.units.length) {
      const grown = new Uint16Array(this.units.length * 2);
      grown.set(this.units);
      this.units = grown;
    }
    this.units[this.length++] = unit;
  }

  pushCodePoint(code: number): void {
    if (code > 0xffff) {
      this.push(0xd800 + ((code - 0x10000) >> 10));
      this.push(0xdc00 + ((code - 0x10000) & 0x3ff));
    } else this.push(code);
  }

  decode(): string {
    return UTF16.decode(this.units.subarray(0, this.length));
  }
}

const UTF16 = new TextDecoder('utf-16le');
const page = new PageUnits();

/**
 * A page's text from PDFium, made to read like pdftotext's. PDFium's own FPDFText_GetText puts
 * characters in content order with '\r\n' where it sees a line break, and a space only where the
 * PDF has one or a gap is wide; pdftotext also breaks words where the font size changes
 * across a small gap, and sets paragraphs apart by a blank line. So the characters are walked
 * here, with their boxes and font sizes: word overlap with pdftotext on Debian manuals 0.980
 * with GetText, 0.995 with this, ~15% slower. Then '\n' line ends, a word hyphenated across lines joined without its hyphen, the ligatures U+FB00–FB06
 * expanded, no blank lines at the ends.
 */
export function pdfiumPageText({ fn, runtime, rect }: PdfiumHandle, textPage: number): string {
  const count = fn.FPDFText_CountChars(textPage);
  const raw = runtime.wasmExports;
  let box = new Float32Array(runtime.HEAPU8.buffer, rect, 4);
  page.length = 0;
  let previous = false;
  let lineStart = false;
  let previousRight = 0;
  let previousBottom = 0;
  let previousSize = 0;
  let object = -1;
  let size = 0;
  let afterCr = false;
  for (let i = 0; i < count; i++) {
    const code = raw.FPDFText_GetUnicode(textPage, i);
    if (code === SPACE || code === CR || code === LF || code === PDFIUM_HYPHEN || code === NON_CHARACTER) {
      // '\r' and '\r\n' become one '\n'; only the '\n' starts a line.
      if (code === SPACE) page.push(SPACE);
      else if (code === CR) page.push(LF);
      else if (code === LF) {
        if (!afterCr) page.push(LF);
        lineStart = true;
      }
      afterCr = code === CR;
      previous = false;
      continue;
    }
    afterCr = false;
    raw.FPDFText_GetLooseCharBox(textPage, i, rect);
    // Memory growth replaces the heap's buffer: the view follows it.
    if (box.buffer !== runtime.HEAPU8.buffer) box = new Float32Array(runtime.HEAPU8.buffer, rect, 4);
    const left = box[0];
    const top = box[1];
    const right = box[2];
    const bottom = box[3];
    const current = raw.FPDFText_GetTextObject(textPage, i);
    if (current !== object) {
      object = current;
      size = raw.FPDFText_GetFontSize(textPage, i);
    }
    // PDF space: y grows up the page. A line set well apart, or one above the last (another
    // column), or in a larger font (a heading), starts a paragraph, as pdftotext's flows do.
    if (lineStart && (previousBottom - top > MAX_BLOCK_SPACING * size || top > previousBottom + size || size > previousSize * 1.001))
      page.push(LF);
    lineStart = false;
    if (previous && Math.abs(bottom - previousBottom) < MAX_INTRA_LINE_DELTA * size) {
      const gap = left - previousRight;
      if (gap > MIN_WORD_BREAK_SPACE * size || (size !== previousSize && gap >= MAX_CHAR_SPACING * size)) page.push(SPACE);
    }
    page.pushCodePoint(code);
    previous = true;
    previousRight = right;
    previousBottom = bottom;
    previousSize = size;
  }
  let text = page.decode().replace(LINE_END_HYPHEN, '$1');
  if (text.search(LIGATURES) >= 0) text = text.replace(LIGATURES, (lig) => lig.normalize('NFKC'));
  return text.trim();
}
