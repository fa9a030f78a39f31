/** readPdfs with each engine: the same rows, ranges, errors, passwords and images; text and page counts as poppler's. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FileReadError, InvalidOptionError } from 'sluice';
import { readPdfs, type PdfEngineName } from '../src/index.js';
import * as fixtures from './fixtures/pdf-files.js';
import { pdfinfoPages, pdftotextPages, poppler, POPPLER_MISSING, wordOverlap } from './fixtures/poppler.js';

const dir = await fixtures.tempDir();
const multi = await fixtures.writeMultiPagePdf(dir);
const long = await fixtures.writeLongPdf(dir, 600);
const words = (text: string) => text.split(/\s+/).filter(Boolean);
/** Word overlap with pdftotext over the real PDFs found (pdfjs 0.9965, pdfium 0.9949 on seven Debian manuals, 643 pages). */
const MIN_OVERLAP = 0.99;

test('pdfium and pdfjs: the same rows (page, numPages, metadata), the words drawn, the same document rows', async () => {
  const read = (engine: PdfEngineName) => readPdfs(multi.path, { engine }).takeAll({ preserveOrder: true });
  const [pdfium, pdfjs] = [await read('pdfium'), await read('pdfjs')];
  const drop = <R extends { text: string }>({ text, ...rest }: R) => (void text, rest);
  assert.deepEqual(pdfium.map(drop), pdfjs.map(drop));
  assert.equal(pdfium[0].title, fixtures.MULTI_PAGE_METADATA.title);
  assert.deepEqual(pdfium[0].creationDate, new Date('2024-01-01T00:00:00Z'));
  const drawn = multi.pages.map((page) => page.paragraphs.flat().join(' '));
  pdfium.forEach((row, i) => assert.deepEqual(words(row.text), words(drawn[i]), `page ${i + 1}`));
  const [doc] = await readPdfs(multi.path, { engine: 'pdfium', mode: 'document' }).takeAll();
  assert.equal(doc.text, pdfium.map((r) => r.text).join('\n\n'));
});

for (const engine of ['pdfium', 'pdfjs'] as const satisfies readonly PdfEngineName[]) {
  test(`${engine}: page ranges, asked for and of a large file split into parts`, async () => {
    assert.deepEqual(
      (await readPdfs(multi.path, { engine, pages: [2, 9] }).takeAll({ preserveOrder: true })).map((r) => r.page),
      [2, 3],
    );
    const rows = await readPdfs(long, { engine, pagesPerTask: 50 }).takeAll({ preserveOrder: true });
    assert.deepEqual(
      rows.map((r) => r.page),
      Array.from({ length: 600 }, (_, i) => i + 1),
    );
    assert.equal(rows[449].text.trim(), 'Page 450 of 600: a short line of text.');
  });

  test(`${engine}: truncated, empty, non-PDF and encrypted files fail with the same FileReadError`, async () => {
    const cases: [string, RegExp][] = [
      [await fixtures.writeTruncatedPdf(dir), /truncated: no %%EOF marker/],
      [await fixtures.writeEmptyPdf(dir), /the file is empty \(0 bytes\)/],
      [await fixtures.writeNotAPdf(dir), /not a PDF: it does not start with %PDF-/],
      [await fixtures.writeEncryptedPdf(dir), /encrypted with a password; pass it as readPdfs\(paths, \{password\}\)/],
    ];
    for (const [file, problem] of cases) {
      await assert.rejects(readPdfs(file, { engine }).takeAll(), (error: unknown) => {
        assert.ok(error instanceof FileReadError, `${file}: ${String(error)}`);
        assert.ok(error.message.includes(file), error.message);
        assert.match(error.message, problem);
        return true;
      });
    }
  });

  test(`${engine}: the password opens an encrypted PDF; a wrong one is said to be wrong`, async () => {
    const locked = await fixtures.writeEncryptedPdf(dir);
    const [page] = await readPdfs(locked, { engine, password: 'secret' }).takeAll();
    assert.equal(page.text.trim(), fixtures.ENCRYPTED_TEXT);
    assert.equal(page.title, fixtures.ENCRYPTED_TITLE);
    await assert.rejects(readPdfs(locked, { engine, password: 'guess' }).takeAll(), /the password given does not open it/);
  });

  test(`${engine}: renderPages gives a PNG of each page at the scale asked for`, async () => {
    const rows = await readPdfs(multi.path, { engine, pages: [1, 2], renderPages: { scale: 0.5 } }).takeAll({ preserveOrder: true });
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const png = Buffer.from(row.image);
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [Math.ceil(595.28 * 0.5), Math.ceil(841.89 * 0.5)]);
    }
  });

  test(`${engine}: CJK text`, async () => {
    const rows = await readPdfs(await fixtures.writeCjkPdf(dir), { engine }).takeAll({ preserveOrder: true });
    assert.deepEqual(
      rows.map((r) => r.text.trim()),
      [...fixtures.CJK_PAGES],
    );
  });

  test(`${engine}: real PDFs (/usr/share/doc, PDF_CORPUS): pdfinfo's page counts, word overlap with pdftotext >= ${MIN_OVERLAP}`, async (t) => {
    if (!poppler) return t.skip(POPPLER_MISSING);
    const files = await fixtures.findRealPdfs();
    if (files.length === 0) return t.skip(fixtures.NO_REAL_PDFS);
    const rows = await readPdfs(files, { engine }).takeAll({ preserveOrder: true });
    let ours = '';
    let theirs = '';
    for (const file of files.sort()) {
      const pages = rows.filter((r) => r.path === file);
      assert.equal(pages.length, pdfinfoPages(file), `${file}: pdfinfo's page count`);
      assert.equal(pages[0]?.numPages, pdfinfoPages(file), file);
      const text = pages.map((r) => r.text).join('\n');
      const reference = pdftotextPages(file).join('\n');
      t.diagnostic(`${path.basename(file)}: ${pages.length} pages, word overlap ${wordOverlap(text, reference).toFixed(4)}`);
      ours += `${text}\n`;
      theirs += `${reference}\n`;
    }
    const overlap = wordOverlap(ours, theirs);
    t.diagnostic(`${engine}: ${files.length} files, ${rows.length} pages, word overlap ${overlap.toFixed(4)}`);
    assert.ok(overlap >= MIN_OVERLAP, `word overlap ${overlap}`);
  });
}

test('readPdfs refuses an unknown engine by name', () => {
  assert.throws(() => readPdfs(dir, { engine: 'poppler' as PdfEngineName }), InvalidOptionError);
  assert.throws(() => readPdfs(dir, { engine: 'poppler' as PdfEngineName }), /engine/);
});
