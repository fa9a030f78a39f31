import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextContent, TextItem } from 'pdfjs-dist/types/src/display/api.js';
import { pageText } from '../src/page-text.js';
import { pdfjsDocumentOptions } from '../src/pdfjs-options.js';
import { writeTextPdf, type DrawnPage, type WrittenTextPdf } from '../src/samples/index.js';
import {
  CJK_PAGES,
  ENCRYPTED_TEXT,
  ENCRYPTED_TITLE,
  tempDir,
  writeCjkPdf,
  writeEmptyPdf,
  writeEncryptedPdf,
  writeLongPdf,
  writeMultiPagePdf,
  writeNotAPdf,
  writeTruncatedPdf,
} from './fixtures/pdf-files.js';
import { pdfinfoPages, pdftotextPages, poppler, POPPLER_MISSING, wordOverlap } from './fixtures/poppler.js';

const LIGATURES = /[\ufb00-\ufb06]/g;

async function openPdf(file: string, password?: string): Promise<PDFDocumentProxy> {
  return getDocument(pdfjsDocumentOptions(new Uint8Array(await readFile(file)), password)).promise;
}

/** What `run` prints on the console (pdfjs warns with console.warn, in this thread: its worker is a fake one in Node). */
async function capturePrinted<T>(run: () => Promise<T>): Promise<{ result: T; printed: string[] }> {
  const printed: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    return { result: await run(), printed };
  } finally {
    Object.assign(console, saved);
  }
}

/** Each page through pageText, and whatever pdfjs printed meanwhile. */
async function extract(file: string): Promise<{ pages: string[]; printed: string[] }> {
  const { result: pages, printed } = await capturePrinted(async () => {
    const doc = await openPdf(file);
    const texts: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      texts.push(pageText(await page.getTextContent({ includeMarkedContent: false, disableNormalization: false })));
      page.cleanup();
    }
    await doc.destroy();
    return texts;
  });
  return { pages, printed };
}

/**
 * pdftotext's text of each page, less the trailing blank line and form feed that end each page,
 * with its ligature characters expanded as pageText does (pdftotext prints U+FB01 as it is).
 * One run per document: its pages are what `-f N -l N` prints, separated by form feeds.
 */
/**
 * The text pdftotext makes of a page writeTextPdf drew: the lines of a paragraph joined by line
 * breaks, a line ending in '-' joined to the next without it; paragraphs far enough apart (the
 * default spacing) separated by a blank line, close ones (`sameFlow`) by a line break only.
 */
function expectedText(page: DrawnPage, sameFlow = false): string {
  const flows = sameFlow ? [page.paragraphs.flat()] : page.paragraphs;
  const text = flows
    .map((lines) =>
      lines
        .map((line, i) => (i < lines.length - 1 && line.endsWith('-') ? line.slice(0, -1) : `${line}\n`))
        .join('')
        .replace(/\n$/, ''),
    )
    .join('\n\n');
  return text.replace(LIGATURES, (c) => c.normalize('NFKC'));
}

async function generatedPdfs(): Promise<{ name: string; pdf: WrittenTextPdf; sameFlow: boolean }[]> {
  const dir = await tempDir();
  const long =
    'Extraordinarily comprehensive documentation accompanies straightforward implementations, notwithstanding considerable misunderstandings regarding internationalization requirements and characteristically unpredictable circumstances.';
  const river =
    'A river carries water from the hills to the sea, and with the water it carries sand, silt and clay; where the current slows the load settles and the land grows.';
  return [
    { name: 'multi-page', pdf: await writeMultiPagePdf(dir), sameFlow: false },
    {
      name: 'close paragraphs',
      pdf: await writeTextPdf(path.join(dir, 'close.pdf'), [[river, river, 'A third, short one.']], { paragraphSpacing: 4 }),
      sameFlow: true,
    },
    {
      name: 'hyphenated',
      pdf: await writeTextPdf(path.join(dir, 'hyphenated.pdf'), [[long, long], [long]], { hyphenate: true }),
      sameFlow: false,
    },
    {
      name: 'ligatures',
      pdf: await writeTextPdf(
        path.join(dir, 'ligatures.pdf'),
        [['The ﬁrst ﬂoor of the office, a naïve café in Łódź: αβγ and жук — €5.', 'A ﬁne, ﬂuent ﬁnish.']],
        { font: 'liberation' },
      ),
      sameFlow: false,
    },
    {
      name: 'two columns',
      pdf: await writeTextPdf(path.join(dir, 'columns.pdf'), [Array.from({ length: 12 }, () => long)], { columns: 2, hyphenate: true }),
      sameFlow: false,
    },
  ];
}

const generated = generatedPdfs();

test('generated PDFs: pageText is the text drawn, with its line breaks, spaces and blank lines', async () => {
  for (const { name, pdf, sameFlow } of await generated) {
    const { pages, printed } = await extract(pdf.path);
    assert.deepEqual(printed, [], `${name}: pdfjs printed warnings`);
    assert.equal(pages.length, pdf.pages.length, name);
    pages.forEach((text, i) => assert.equal(text, expectedText(pdf.pages[i], sameFlow), `${name}, page ${i + 1}`));
  }
});

test('generated PDFs: pageText is what pdftotext prints, page for page; pdfinfo counts the same pages', async (t) => {
  if (!poppler) return t.skip(POPPLER_MISSING);
  for (const { name, pdf } of await generated) {
    const { pages } = await extract(pdf.path);
    assert.equal(pdfinfoPages(pdf.path), pages.length, `${name}: pdfinfo's page count`);
    const theirs = pdftotextPages(pdf.path);
    pages.forEach((text, i) => assert.equal(text, theirs[i], `${name}, page ${i + 1} against pdftotext`));
  }
});

test('ligatures are expanded; words are spaced and lines broken as drawn', async () => {
  const [, , hyphenated, ligatures] = await generated;
  const [text] = (await extract(ligatures.pdf.path)).pages;
  assert.equal(text, 'The first floor of the office, a naïve café in Łódź: αβγ and жук — €5.\n\nA fine, fluent finish.');
  assert.doesNotMatch(text, LIGATURES);
  // "internationaliz-" / "ation": the hyphen and the line break go, as in pdftotext.
  const drawn = hyphenated.pdf.pages[0].paragraphs[0];
  const cut = drawn.findIndex((line) => line.endsWith('-'));
  assert.ok(cut >= 0 && cut < drawn.length - 1, 'the fixture hyphenates a word');
  const word = `${drawn[cut].split(' ').at(-1)!.slice(0, -1)}${drawn[cut + 1].split(' ')[0]}`;
  const [page] = (await extract(hyphenated.pdf.path)).pages;
  assert.match(page, new RegExp(`\\s${word}\\s`));
  assert.ok(page.startsWith(`${drawn[0]}\n`), 'a line break where the page has one');
});

test('/usr/share/doc PDFs: word overlap with pdftotext of at least 0.95 per document', async (t) => {
  if (!poppler) return t.skip(POPPLER_MISSING);
  const files = (await readdir('/usr/share/doc', { recursive: true }).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.pdf'))
    .sort()
    .slice(0, 20)
    .map((f) => path.join('/usr/share/doc', f));
  if (files.length === 0) return t.skip('no PDF under /usr/share/doc');
  for (const file of files) {
    const { pages, printed } = await extract(file);
    assert.deepEqual(
      printed.filter((line) => /standardFontDataUrl|cMapUrl|wasmUrl|font data/i.test(line)),
      [],
      `${file}: font warnings`,
    );
    assert.equal(pages.length, pdfinfoPages(file), `${file}: pdfinfo's page count`);
    const theirs = pdftotextPages(file);
    const overlap = wordOverlap(pages.join('\n'), theirs.join('\n'));
    const identical = pages.filter((text, i) => text === theirs[i]).length;
    t.diagnostic(
      `${path.basename(file)}: ${pages.length} pages, word overlap ${overlap.toFixed(4)}, ${identical} pages identical to pdftotext`,
    );
    assert.ok(overlap >= 0.95, `${file}: word overlap ${overlap}`);
  }
});

test('CJK through predefined CMaps (UniJIS-UCS2-H, UniGB-UCS2-H) with the packed cmaps/', async () => {
  const { pages, printed } = await extract(await writeCjkPdf(await tempDir()));
  assert.deepEqual(pages, [...CJK_PAGES]);
  assert.deepEqual(printed, []);
});

test('pdfjsDocumentOptions: no standard font warnings (without them pdfjs warns)', async () => {
  const file = (await writeMultiPagePdf(await tempDir())).path;
  const { printed } = await capturePrinted(async () => {
    const options = pdfjsDocumentOptions(new Uint8Array(await readFile(file)));
    delete options.standardFontDataUrl;
    const doc = await getDocument(options).promise;
    await (await doc.getPage(1)).getTextContent();
    await doc.destroy();
  });
  assert.ok(
    printed.some((line) => line.includes('standardFontDataUrl')),
    'the control run warns, so the capture works',
  );
  assert.deepEqual((await extract(file)).printed, []);
});

test('encrypted PDF: PasswordException without the password, text and title with it', async () => {
  const file = await writeEncryptedPdf(await tempDir(), 'secret', 'owner');
  await assert.rejects(openPdf(file), { name: 'PasswordException', code: 1 });
  await assert.rejects(openPdf(file, 'wrong'), { name: 'PasswordException', code: 2 });
  for (const password of ['secret', 'owner']) {
    const doc = await openPdf(file, password);
    assert.equal(pageText(await (await doc.getPage(1)).getTextContent()), ENCRYPTED_TEXT);
    assert.equal(((await doc.getMetadata()).info as { Title?: string }).Title, ENCRYPTED_TITLE);
    await doc.destroy();
  }
});

test('fixtures: 1,500 pages; truncated, empty and non-PDF files are refused', async (t) => {
  const dir = await tempDir();
  const start = performance.now();
  const long = await writeLongPdf(dir, 1500);
  const seconds = (performance.now() - start) / 1000;
  t.diagnostic(`1,500-page PDF written in ${seconds.toFixed(2)} s`);
  const doc = await openPdf(long);
  assert.equal(doc.numPages, 1500);
  assert.equal(pageText(await (await doc.getPage(1500)).getTextContent()), 'Page 1500 of 1500: a short line of text.');
  await doc.destroy();
  if (poppler) assert.equal(pdfinfoPages(long), 1500);
  for (const file of [await writeTruncatedPdf(dir), await writeEmptyPdf(dir), await writeNotAPdf(dir)]) {
    // pdfjs warns "Indexing all PDF objects" while it looks for a structure to recover.
    await capturePrinted(() => assert.rejects(openPdf(file), { name: 'InvalidPDFException' }, file));
  }
});

// ------------------------------------------------------------ pageText on hand-made items

const STYLES = { f: { fontFamily: 'sans-serif', ascent: 0.9, descent: -0.2, vertical: false } };

/** An item of `size`-point text at (x, y) advancing `width`, rotated by `angle` degrees. */
function item(str: string, x: number, y: number, width: number, { size = 10, angle = 0 } = {}): TextItem {
  const [cos, sin] = [Math.round(Math.cos((angle * Math.PI) / 180)), Math.round(Math.sin((angle * Math.PI) / 180))];
  return {
    str,
    dir: 'ltr',
    transform: [size * cos, size * sin, -size * sin, size * cos, x, y],
    width,
    height: size,
    fontName: 'f',
    hasEOL: false,
  };
}

const content = (...items: TextItem[]): TextContent => ({ items, styles: STYLES, lang: null });

test('pageText: spaces from gaps, lines from baselines, paragraphs from larger gaps', () => {
  assert.equal(pageText(content()), '');
  // A gap of 0.05 em joins, 0.2 em is a space; an item's own spaces are kept, not doubled.
  assert.equal(
    pageText(content(item('ab', 0, 700, 10), item('cd', 10.5, 700, 10), item('ef', 22.5, 700, 10), item(' gh', 32.5, 700, 10))),
    'abcd ef gh',
  );
  // Content order does not matter: top to bottom, left to right.
  assert.equal(pageText(content(item('second', 0, 688, 30), item('line', 35, 700, 20), item('first', 0, 700, 25))), 'first line\nsecond');
  // A superscript stays on its line, joined to its word.
  assert.equal(pageText(content(item('E = mc', 0, 700, 30), item('2', 30, 704, 3, { size: 6 }), item('is', 35.8, 700, 8))), 'E = mc2 is');
  // 12 pt apart: one block; 40 pt apart: a blank line.
  assert.equal(pageText(content(item('one', 0, 700, 20), item('two', 0, 688, 20), item('three', 0, 648, 25))), 'one\ntwo\n\nthree');
  // The same text drawn twice at nearly the same place (fake bold) once.
  assert.equal(pageText(content(item('bold', 0, 700, 20), item('bold', 0.3, 700, 20))), 'bold');
});

test('pageText: dehyphenation within a flow only; ligatures; rotated text', () => {
  assert.equal(pageText(content(item('an exam-', 0, 700, 40), item('ple here', 0, 688, 40))), 'an example here');
  assert.equal(pageText(content(item('kept exam-', 0, 700, 50), item('far below', 0, 600, 40))), 'kept exam-\n\nfar below');
  assert.equal(pageText(content(item('ﬁne ﬂow ﬀ ﬃ ﬄ ﬆ', 0, 700, 80))), 'fine flow ff ffi ffl st');
  // Text rotated 90° (reading upwards) in two lines, the second further right.
  assert.equal(pageText(content(item('down', 112, 100, 20, { angle: 90 }), item('up', 100, 100, 10, { angle: 90 }))), 'up\ndown');
});

test('pageText: two columns read column by column, after a heading across both', () => {
  const left = [item('Left one', 50, 700, 40), item('Left two', 50, 688, 40)];
  const right = [item('Right one', 300, 700, 45), item('Right two', 300, 688, 45)];
  // The heading's flow goes on down the left column (smaller text below, 2.5 em at most
  // between them); the right column is a flow of its own.
  assert.equal(
    pageText(content(item('Heading across both', 50, 730, 300, { size: 14 }), ...right, ...left)),
    'Heading across both\nLeft one\nLeft two\n\nRight one\nRight two',
  );
});
