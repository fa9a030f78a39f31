/**
 * readPdfs with OCR: image-only PDFs built here (text pages rendered by readPdfs' own renderPages,
 * the PNGs wrapped into new PDFs with pdf-lib) are read by PaddleOCR on the OCR actor stages, and
 * must come back within the accuracy bar against the text they were drawn from.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { characterErrorRate, wordOverlap } from '@sluice/ocr';
import { PDFDocument } from 'pdf-lib';
import { InvalidOptionError } from 'sluice';
import { readPdfs } from '../src/index.js';
import { tempDir, writeMultiPagePdf } from './fixtures/pdf-files.js';

/** An image-only PDF: each page of `source` as a PNG at `dpi`, drawn full-page, with no text layer. */
async function scannedCopy(source: string, file: string, dpi: number): Promise<void> {
  const images = await readPdfs(source, { renderPages: { scale: dpi / 72 } }).takeAll({ progress: 'off' });
  const pdf = await PDFDocument.create();
  for (const { image } of images.sort((a, b) => a.page - b.page)) {
    const png = await pdf.embedPng(image);
    const page = pdf.addPage([(png.width * 72) / dpi, (png.height * 72) / dpi]);
    page.drawImage(png, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
  }
  await writeFile(file, await pdf.save());
}

test("readPdfs ocr 'auto': scanned pages are read by OCR within CER 3% and word overlap 0.85, text pages keep their text layer", async () => {
  const dir = await tempDir();
  const written = await writeMultiPagePdf(dir);
  await scannedCopy(written.path, path.join(dir, 'scanned.pdf'), 150);
  const rows = await readPdfs(dir, { ocr: 'auto' }).takeAll({ progress: 'off' });
  assert.equal(rows.length, 6);
  for (const row of rows) {
    const drawn = written.pages[row.page - 1].paragraphs.map((p) => p.join('\n')).join('\n');
    if (path.basename(row.path) === 'scanned.pdf') {
      assert.equal(row.textSource, 'ocr', `page ${row.page} of the scan`);
      const cer = characterErrorRate(drawn, row.text);
      const overlap = wordOverlap(drawn, row.text);
      assert.ok(cer <= 0.03, `scan page ${row.page}: CER ${cer.toFixed(4)}\n${row.text}`);
      assert.ok(overlap >= 0.85, `scan page ${row.page}: word overlap ${overlap.toFixed(3)}\n${row.text}`);
      assert.ok(row.lines.length >= drawn.split('\n').length, 'one or more OCR lines per drawn line');
      assert.equal(row.numPages, 3);
    } else {
      assert.equal(row.textSource, 'pdf');
      assert.deepEqual(row.lines, []);
      assert.equal(characterErrorRate(drawn, row.text), 0, 'the text layer as it is');
    }
    assert.equal('ocrImage' in row, false, 'the page image does not reach the rows');
  }
});

test("readPdfs ocr 'always' reads text pages by OCR too; ocr needs page mode and a sane dpi", async () => {
  const dir = await tempDir();
  const written = await writeMultiPagePdf(dir);
  const rows = await readPdfs(written.path, { ocr: 'always', pages: [3, 3] }).takeAll({ progress: 'off' });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].textSource, 'ocr');
  assert.ok(characterErrorRate('The last page has one short paragraph.', rows[0].text) <= 0.03, rows[0].text);
  assert.throws(() => readPdfs(dir, { ocr: 'auto', mode: 'document' }), InvalidOptionError);
  assert.throws(() => readPdfs(dir, { ocr: 'auto', ocrDpi: 10 }), /ocrDpi/);
  assert.throws(() => readPdfs(dir, { ocr: 'sometimes' as 'auto' }), /'auto' or 'always' or 'never'/);
});
