/**
 * PDFium's page count through its block reader, which plans large files on the main thread:
 * the count a whole opening gives, on generated and real PDFs (pdfinfo's), far fewer bytes
 * read than the file holds, and the same errors as an opening for a file that is not whole.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { test } from 'node:test';
import { objectStoreFor, type BlockingFile } from 'sluice';
import { openPdfiumDocument } from '../src/engines/pdfium-engine.js';
import { countPdfiumPages } from '../src/engines/pdfium-page-count.js';
import * as fixtures from './fixtures/pdf-files.js';
import { pdfinfoPages, poppler, POPPLER_MISSING } from './fixtures/poppler.js';

const dir = await fixtures.tempDir();

test('the count of a whole opening, reading a fraction of the file', async () => {
  const long = await fixtures.writeLongPdf(dir, 1500);
  assert.equal(await countPdfiumPages(long, null, undefined), 1500);
  assert.equal(await countPdfiumPages((await fixtures.writeMultiPagePdf(dir)).path, null, undefined), 3);
  const encrypted = await fixtures.writeEncryptedPdf(dir);
  assert.equal(await countPdfiumPages(encrypted, 'secret', undefined), (await openPdfiumDocument(encrypted, 'secret', undefined)).numPages);
  await assert.rejects(countPdfiumPages(encrypted, null, undefined), /encrypted with a password/);

  // The bytes PDFium asks the block reader for: its cross-references and page tree, not the pages.
  const store = objectStoreFor(long, undefined);
  const opened = store.openBlocking!.bind(store);
  let asked = 0;
  store.openBlocking = (file: string): BlockingFile => {
    const inner = opened(file);
    return { size: inner.size, close: () => inner.close(), read: (into, position) => ((asked += into.length), inner.read(into, position)) };
  };
  try {
    assert.equal(await countPdfiumPages(long, null, undefined), 1500);
  } finally {
    delete store.openBlocking;
  }
  const { size } = await stat(long);
  assert.ok(asked < size / 4, `${asked} of ${size} bytes read`);
});

test('a file that is not a whole PDF fails as its opening does', async () => {
  for (const file of [await fixtures.writeTruncatedPdf(dir), await fixtures.writeEmptyPdf(dir), await fixtures.writeNotAPdf(dir)]) {
    const opening = await openPdfiumDocument(file, null, undefined).then(
      () => 'opened',
      (error: Error) => error.message,
    );
    await assert.rejects(countPdfiumPages(file, null, undefined), (error: Error) => error.message === opening);
  }
});

test("real PDFs (/usr/share/doc, PDF_CORPUS): pdfinfo's page counts", async (t) => {
  if (!poppler) return t.skip(POPPLER_MISSING);
  const files = await fixtures.findRealPdfs();
  if (files.length === 0) return t.skip(fixtures.NO_REAL_PDFS);
  for (const file of files) assert.equal(await countPdfiumPages(file, null, undefined), pdfinfoPages(file), file);
});
