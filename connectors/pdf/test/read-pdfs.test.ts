/** readPdfs: page and document rows parsed on the task pool, page ranges of large files, bad files, passwords, page images. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileReadError, InvalidOptionError } from 'sluice';
import { readPdfs } from '../src/index.js';
import {
  CJK_PAGES,
  ENCRYPTED_TEXT,
  ENCRYPTED_TITLE,
  MULTI_PAGE_METADATA,
  tempDir,
  writeCjkPdf,
  writeEmptyPdf,
  writeEncryptedPdf,
  writeLongPdf,
  writeMultiPagePdf,
  writeNotAPdf,
  writeTruncatedPdf,
} from './fixtures/pdf-files.js';

const dir = await tempDir();
const multi = await writeMultiPagePdf(dir);

test('readPdfs: a row per page with the page number, page count and document metadata, parsed on the task pool', async () => {
  const ds = readPdfs(dir, { fileExtensions: ['pdf'] }).filter((row) => row.path === multi.path);
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual(
    rows.map((r) => [r.page, r.numPages]),
    [
      [1, 3],
      [2, 3],
      [3, 3],
    ],
  );
  for (const row of rows) {
    assert.equal(row.title, MULTI_PAGE_METADATA.title);
    assert.equal(row.author, MULTI_PAGE_METADATA.author);
    assert.equal(row.producer, 'sluice writeTextPdf');
    assert.deepEqual(row.creationDate, new Date('2024-01-01T00:00:00Z'));
  }
  // Words spaced, lines broken where the page breaks them, in reading order.
  assert.match(rows[0].text, /^A river carries water from the hills to the sea, and with the water/);
  assert.match(rows[0].text, /\n/);
  assert.match(rows[2].text, /^The last page has one short paragraph\.\s*$/);
  const words = (text: string) => text.split(/\s+/).filter(Boolean);
  const drawn = multi.pages.map((page) => page.paragraphs.flat().join(' '));
  rows.forEach((row, i) => assert.deepEqual(words(row.text), words(drawn[i]), `page ${i + 1}`));
  assert.match(ds.explain(), /ReadPdfs.*\[task pool/);
});

test("readPdfs mode 'document': a row per file, its pages' texts joined by blank lines", async () => {
  const [doc] = await readPdfs(multi.path, { mode: 'document' }).takeAll();
  assert.equal(doc.numPages, 3);
  assert.equal('page' in doc, false);
  const pages = await readPdfs(multi.path).takeAll({ preserveOrder: true });
  assert.equal(doc.text, pages.map((p) => p.text).join('\n\n'));
});

test('readPdfs pages: a 1-based inclusive range, clipped to the document', async () => {
  const some = await readPdfs(multi.path, { pages: [2, 3] }).takeAll({ preserveOrder: true });
  assert.deepEqual(
    some.map((r) => r.page),
    [2, 3],
  );
  assert.deepEqual(
    await readPdfs(multi.path, { pages: [3, 99] }).takeAll(),
    [await readPdfs(multi.path).takeAll({ preserveOrder: true })].flat().slice(2),
  );
  assert.deepEqual(await readPdfs(multi.path, { pages: [4, 9] }).takeAll(), []);
});

test('readPdfs streams a 1,500-page PDF: page ranges of pagesPerTask pages, three per task, no block holding every page', async () => {
  const long = await writeLongPdf(dir, 1500);
  const ds = readPdfs(long, { pagesPerTask: 50 });
  let pages = 0;
  let largest = 0;
  let expected = 1;
  for await (const batch of ds.iterBatches({ batchSize: null, batchFormat: 'columns', preserveOrder: true, progress: 'off' })) {
    const numbers = batch.page as Int32Array;
    largest = Math.max(largest, numbers.length);
    for (const page of numbers) assert.equal(page, expected++);
    pages += numbers.length;
  }
  assert.equal(pages, 1500);
  assert.ok(largest <= 150, `blocks of at most 3 x 50 pages (largest ${largest})`);
  const read = (await ds.stats()).operators.find((o) => o.name.startsWith('ReadPdfs'));
  assert.equal(read?.tasks, 10);
  const [first] = await readPdfs(long, { pages: [1200, 1200] }).takeAll();
  assert.equal(first.text.trim(), 'Page 1200 of 1500: a short line of text.');
});

test('readPdfs: a truncated, an empty, a non-PDF and an encrypted file each fail with an error that names the file and says what is wrong', async () => {
  const cases: [string, RegExp][] = [
    [await writeTruncatedPdf(dir), /truncated: no %%EOF marker/],
    [await writeEmptyPdf(dir), /the file is empty \(0 bytes\)/],
    [await writeNotAPdf(dir), /not a PDF: it does not start with %PDF-/],
    [await writeEncryptedPdf(dir), /encrypted with a password; pass it as readPdfs\(paths, \{password\}\)/],
  ];
  for (const [file, problem] of cases) {
    await assert.rejects(readPdfs(file).takeAll(), (error: unknown) => {
      assert.ok(error instanceof FileReadError, `${file}: ${String(error)}`);
      assert.match(error.message, /ReadPdfs/);
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, problem);
      assert.match(error.message, /onError: 'skip'/);
      return true;
    });
  }
});

test("readPdfs onError 'skip': bad files are logged and the others read, with every worker alive for the next job", async () => {
  const bad = [await writeTruncatedPdf(dir), await writeEmptyPdf(dir), await writeNotAPdf(dir), await writeEncryptedPdf(dir)];
  const errorLog = join(dir, 'errors.jsonl');
  const rows = await readPdfs([...bad, multi.path], { onError: 'skip' }).takeAll({ errorLog, cpus: 2 });
  assert.equal(rows.length, 3);
  const logged = readFileSync(errorLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { operator: string; input: { path: string }; message: string });
  assert.deepEqual(logged.map((l) => l.input.path).sort(), [...bad].sort());
  for (const line of logged) assert.equal(line.operator, 'ReadPdfs');
  assert.equal((await readPdfs(multi.path).takeAll({ cpus: 2 })).length, 3);
});

test('readPdfs: the password opens an encrypted PDF; a wrong one is said to be wrong', async () => {
  const locked = await writeEncryptedPdf(dir);
  const [page] = await readPdfs(locked, { password: 'secret' }).takeAll();
  assert.equal(page.text.trim(), ENCRYPTED_TEXT);
  assert.equal(page.title, ENCRYPTED_TITLE);
  await assert.rejects(readPdfs(locked, { password: 'guess' }).takeAll(), /the password given does not open it/);
});

test('readPdfs: a file that takes longer than timeoutMs fails, or is skipped, and the job goes on', async () => {
  const long = await writeLongPdf(dir, 400);
  await assert.rejects(readPdfs(long, { timeoutMs: 5 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.match(error.message, /no result after 5 ms/);
    return true;
  });
  const errorLog = join(dir, 'timeouts.jsonl');
  assert.deepEqual(await readPdfs(long, { timeoutMs: 5, onError: 'skip' }).takeAll({ errorLog }), []);
  assert.match(readFileSync(errorLog, 'utf8'), /long-400\.pdf.*no result after 5 ms/);
  const rows = await readPdfs([long, multi.path], { timeoutMs: 5_000 }).takeAll();
  assert.equal(rows.length, 403);
});

test('readPdfs: CJK text through the predefined CMaps that pdfjs-dist ships', async () => {
  const rows = await readPdfs(await writeCjkPdf(dir)).takeAll({ preserveOrder: true });
  assert.deepEqual(
    rows.map((r) => r.text.trim()),
    [...CJK_PAGES],
  );
});

test('readPdfs renderPages: a PNG of each page at the scale asked for', async () => {
  const rows = await readPdfs(multi.path, { pages: [1, 2], renderPages: { scale: 0.5 } }).takeAll({ preserveOrder: true });
  assert.equal(rows.length, 2);
  for (const row of rows) {
    const png = Buffer.from(row.image);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: width and height, big-endian, after the 8-byte signature and the chunk's length and type.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [Math.ceil(595.28 * 0.5), Math.ceil(841.89 * 0.5)]);
  }
  assert.equal('image' in (await readPdfs(multi.path).take(1))[0], false);
});

test('readPdfs prints no pdfjs warning (fonts, CMaps and wasm come from the pdfjs-dist package)', async () => {
  const cjk = await writeCjkPdf(dir);
  const script = fileURLToPath(new URL('./fixtures/read-pdfs-job.js', import.meta.url));
  const child = spawnSync(process.execPath, [script, multi.path, cjk], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim().split('\n').length, 5);
  assert.equal(child.stderr, '');
});

test('readPdfs refuses bad options by name, before anything runs', () => {
  assert.throws(() => readPdfs(dir, { mode: 'pages' as 'page' }), InvalidOptionError);
  assert.throws(() => readPdfs(dir, { pages: [0, 3] }), /pages/);
  assert.throws(() => readPdfs(dir, { pages: [5, 3] }), /pages/);
  assert.throws(() => readPdfs(dir, { renderPages: { scale: 0 } }), /renderPages/);
  assert.throws(() => readPdfs(dir, { mode: 'document', renderPages: { scale: 1 } }), /renderPages/);
  assert.throws(() => readPdfs(dir, { pagesPerTask: 0 }), /pagesPerTask/);
  // Keys the options type lacks, as plain JavaScript may pass them; typed `object` so that the compiler lets them through.
  const includePaths: object = { includePaths: true };
  const bogus: object = { bogus: 1 };
  assert.throws(() => readPdfs(dir, includePaths), /includePaths/);
  assert.throws(
    () => readPdfs(dir, bogus),
    /'bogus' must be one of .*timeoutMs, storage, engine, mode, pages, password, renderPages, pagesPerTask/,
  );
});
