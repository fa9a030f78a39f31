/** readPdfs over s3:// paths (a real S3 server on loopback): the same rows as the same files read locally, large files split in page ranges. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { S3TestServer } from '../../../dist/test/fixtures/s3-server.js';
import { readPdfs } from '../src/index.js';
import { tempDir, writeLongPdf, writeMultiPagePdf } from './fixtures/pdf-files.js';

// The core's S3 test server, built in dist/test/fixtures: this file runs from connectors/pdf/dist/test,
// one level deeper than its source, so the module is found from where it runs.
const { startS3Server } = (await import(
  new URL('../../../../dist/test/fixtures/s3-server.js', import.meta.url).href
)) as typeof import('../../../dist/test/fixtures/s3-server.js');

const dir = await tempDir();
let s3: S3TestServer;
let multi: string;
let long: string;

before(async () => {
  s3 = await startS3Server();
  await s3.bucket('docs');
  multi = (await writeMultiPagePdf(dir)).path;
  long = await writeLongPdf(dir, 1500);
  await s3.upload('s3://docs/pdfs/multi-page.pdf', await readFile(multi));
  await s3.upload('s3://docs/pdfs/big/long.pdf', await readFile(long));
  await s3.upload('s3://docs/pdfs/notes.txt', 'not a pdf');
});

after(() => s3.stop());

test('readPdfs over an s3:// prefix: .pdf objects only, page ranges of a large object, the rows of the local files', async () => {
  const ds = readPdfs('s3://docs/pdfs/', { storage: s3.storage, pagesPerTask: 200 });
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual([...new Set(rows.map((r) => r.path))], ['s3://docs/pdfs/big/long.pdf', 's3://docs/pdfs/multi-page.pdf']);
  const local = await readPdfs([long, multi], { pagesPerTask: 200 }).takeAll({ preserveOrder: true });
  const withoutPath = (list: typeof rows) => list.map((row) => ({ ...row, path: null }));
  assert.deepEqual(withoutPath(rows), withoutPath(local));
  assert.equal(rows.length, 1503);
  // The large object was planned from its size in the listing and read in parts: more tasks than files.
  const read = (await ds.stats()).operators.find((o) => o.name.startsWith('ReadPdfs'))!;
  assert.ok(read.tasks >= 3, `${read.tasks} tasks`);
});

test('readPdfs of a missing s3:// key names it', async () => {
  await assert.rejects(
    readPdfs('s3://docs/pdfs/none.pdf', { storage: s3.storage }).takeAll(),
    /ReadPdfs failed at file s3:\/\/docs\/pdfs\/none\.pdf/,
  );
});
