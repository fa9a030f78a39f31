/**
 * writeParquet, writeJson and writeCsv to s3:// prefixes, against a real S3 server on loopback
 * (s3rver): objects read back with an independent reader (downloaded by the fixture's own
 * client, read by DuckDB); large files uploaded in parts; all or nothing when the write fails
 * (no object of its write id, no open multipart upload), also when a worker dies mid-upload;
 * and a run with a runId that keeps what it committed for a resume.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { range, readJson, readParquet, UdfError, WriteError, type StorageOptions } from '../src/index.js';
import { tempDir } from './fixtures/io-read-helpers.js';
import { duckdb } from './fixtures/io-write-helpers.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { exitMidUploadUdf, failOnRowUdf, S3_EXIT_WHEN_ENV, S3_FAIL_AT_ENV, widenUdf } from './fixtures/s3-write-udfs.js';
import { CALLS_FILE_ENV, countedRowUdf, FAIL_AT_ENV as RESUME_FAIL_AT_ENV } from './fixtures/write-resume-udfs.js';

const dir = tempDir('write-s3');
let s3: S3TestServer;
let storage: StorageOptions;

before(async () => {
  s3 = await startS3Server();
  storage = s3.storage;
  await s3.bucket('out');
});

after(() => s3.stop());

/** Downloads objects with the fixture's client into local files, for DuckDB. */
async function downloaded(urls: readonly string[], extension: string, server = s3): Promise<string[]> {
  return Promise.all(
    urls.map(async (url, i) => {
      const path = join(dir, `${url.replace(/[^a-z0-9]+/gi, '-')}-${i}.${extension}`);
      writeFileSync(path, await server.download(url));
      return path;
    }),
  );
}

const list = (paths: readonly string[]) => `[${paths.map((p) => `'${p}'`).join(', ')}]`;

test('writeParquet to s3://: objects named by the write id, then _SUCCESS; DuckDB reads them back', async () => {
  const result = await range(1000)
    .map((row) => ({ id: row.id, name: `doc ${row.id}` }))
    .writeParquet('s3://out/parquet', { storage, targetRowsPerFile: 300 });
  assert.equal(result.rows, 1000);
  assert.equal(result.files.length, 4);
  assert.ok(result.files.every((f) => f.startsWith(`s3://out/parquet/${result.writeId}_`) && f.endsWith('.parquet')));
  assert.ok(result.returns.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
  assert.deepEqual(await s3.keys('out', 'parquet/'), [...result.files.map((f) => f.slice('s3://out/'.length)), 'parquet/_SUCCESS'].sort());
  const files = await downloaded(result.files, 'parquet');
  const { rows } = await duckdb(
    `SELECT count(*)::INT AS n, sum(id)::BIGINT AS total, min(name) AS first FROM read_parquet(${list(files)})`,
  );
  assert.deepEqual(rows, [{ n: 1000, total: 499500n, first: 'doc 0' }]);
  // And sluice reads its own output back from the prefix, _SUCCESS left out.
  assert.equal(await readParquet('s3://out/parquet/', { storage }).count(), 1000);
});

test('writeJson and writeCsv to s3://: DuckDB reads the downloaded objects', async () => {
  const rows = range(50).map((row) => ({ id: row.id, text: row.id % 2 ? 'odd, with a comma' : 'even "quoted"' }));
  const json = await rows.writeJson('s3://out/json/', { storage });
  const csv = await rows.writeCsv('s3://out/csv', { storage });
  for (const [result, reader, extension] of [
    [json, 'read_json', 'jsonl'],
    [csv, 'read_csv', 'csv'],
  ] as const) {
    const files = await downloaded(result.files, extension);
    const back = await duckdb(`SELECT id::INT AS id, text FROM ${reader}(${list(files)}) ORDER BY id`);
    assert.equal(back.rows.length, 50, reader);
    assert.deepEqual(back.rows[1], { id: 1, text: 'odd, with a comma' }, reader);
    assert.deepEqual(back.rows[2], { id: 2, text: 'even "quoted"' }, reader);
  }
  assert.ok((await s3.keys('out', 'csv/')).includes('csv/_SUCCESS'));
});

test('a large file is uploaded in parts (multipart upload), and appears whole', async () => {
  s3.clearRequests();
  // 600k rows of 12 bytes, uncompressed: a file of about 7 MB, over one 5 MiB part.
  const result = await range(600_000)
    .mapBatches(widenUdf, { batchFormat: 'columns' })
    .writeParquet('s3://out/big', { storage, compression: 'none', targetRowsPerFile: 600_000 });
  assert.equal(result.files.length, 1);
  assert.ok(result.bytes > 5 * 1024 * 1024, `${result.bytes} bytes`);
  const key = `/out/big/${result.writeId}_000000_000.parquet`;
  const calls = s3.requests
    .filter((r) => r.path === key)
    .map((r) => `${r.method} ${r.query.replace(/[?&]x-id=[^&]*/, '').replace(/uploadId=[0-9a-f]+/, 'uploadId')}`);
  assert.ok(
    calls.some((c) => c.startsWith('POST ?uploads')),
    calls.join('; '),
  );
  assert.ok(calls.filter((c) => c.startsWith('PUT') && c.includes('partNumber=')).length >= 2, calls.join('; '));
  const [file] = await downloaded(result.files, 'parquet');
  const { rows } = await duckdb(`SELECT count(*)::INT AS n, max(id)::BIGINT AS top, sum(x)::DOUBLE AS x FROM read_parquet('${file}')`);
  assert.deepEqual(rows, [{ n: 600_000, top: 599_999n, x: 1.5 * ((599_999 * 600_000) / 2) }]);
  assert.deepEqual(await s3.openUploads('out'), []);
});

test('a write that fails mid-way leaves no object of its write id and no open multipart upload', async () => {
  await s3.upload('s3://out/fails/kept-by-someone-else.parquet', 'not ours');
  s3.clearRequests();
  process.env[S3_FAIL_AT_ENV] = '2900000';
  try {
    const write = range(3_000_000)
      .mapBatches(failOnRowUdf, { batchFormat: 'columns' })
      .writeParquet('s3://out/fails', { storage, compression: 'none', targetRowsPerFile: 500_000, cpus: 2 });
    await assert.rejects(write, (error: unknown) => error instanceof UdfError && /^MapBatches\(failOnRow\) failed/.test(error.message));
  } finally {
    delete process.env[S3_FAIL_AT_ENV];
  }
  const committed = s3.requests.filter((r) => r.method === 'POST' && r.query.includes('uploadId=') && r.status === 200).length;
  assert.ok(committed >= 2, `multipart uploads were completed before the failure (${committed}), so the rollback removed some`);
  assert.deepEqual(await s3.keys('out', 'fails/'), ['fails/kept-by-someone-else.parquet']);
  assert.deepEqual(await s3.openUploads('out'), []);
});

test('a failed rerun into the same prefix keeps the first write whole, its _SUCCESS put back', async () => {
  const first = await range(100).writeJson('s3://out/rerun', { storage, targetRowsPerFile: 40 });
  const before = await s3.keys('out', 'rerun/');
  assert.deepEqual(before, [...first.files.map((f) => f.slice('s3://out/'.length)), 'rerun/_SUCCESS'].sort());
  process.env[S3_FAIL_AT_ENV] = '90';
  try {
    const rerun = range(100)
      .mapBatches(failOnRowUdf, { batchFormat: 'columns', batchSize: 10 })
      .writeJson('s3://out/rerun', { storage, targetRowsPerFile: 10 });
    await assert.rejects(rerun, UdfError);
  } finally {
    delete process.env[S3_FAIL_AT_ENV];
  }
  assert.deepEqual(await s3.keys('out', 'rerun/'), before);
});

test('a worker that dies mid-upload: its task is retried, and the multipart upload it left open is aborted', async () => {
  const marker = join(dir, 'part-held');
  const held = await startS3Server({ partDelayMs: 2_000, onPartHeld: () => writeFileSync(marker, '') });
  process.env[S3_FAIL_AT_ENV] = '10';
  process.env[S3_EXIT_WHEN_ENV] = marker;
  try {
    await held.bucket('out');
    const result = await range(600_000)
      .mapBatches(exitMidUploadUdf, { batchFormat: 'columns' })
      // One CPU, one worker: the map's worker is the one that uploads, and dies while a part is held.
      .writeParquet('s3://out/dies', { storage: held.storage, compression: 'none', targetRowsPerFile: 600_000, cpus: 1 });
    assert.equal(result.rows, 600_000);
    const uploads = held.requests.filter((r) => r.method === 'POST' && r.query.startsWith('?uploads'));
    assert.equal(uploads.length, 2, 'the dead attempt and its retry each started an upload');
    assert.ok(
      held.requests.some((r) => r.method === 'DELETE' && r.query.includes('uploadId=')),
      "the dead attempt's upload was aborted",
    );
    assert.deepEqual(await held.openUploads('out'), []);
    assert.deepEqual(await held.keys('out', 'dies/'), [result.files[0].slice('s3://out/'.length), 'dies/_SUCCESS']);
    const [file] = await downloaded(result.files, 'parquet', held);
    assert.deepEqual((await duckdb(`SELECT count(*)::INT AS n FROM read_parquet('${file}')`)).rows, [{ n: 600_000 }]);
  } finally {
    delete process.env[S3_FAIL_AT_ENV];
    delete process.env[S3_EXIT_WHEN_ENV];
    await held.stop();
  }
});

test('writing to a missing bucket is a WriteError naming the s3:// path before any task runs', async () => {
  await assert.rejects(range(10).writeJson('s3://no-such-bucket/x', { storage }), (error: unknown) => {
    assert.ok(error instanceof WriteError, String(error));
    assert.match(
      error.message,
      /^WriteJson\(s3:\/\/no-such-bucket\/x\): cannot write under s3:\/\/no-such-bucket\/x: .*the bucket 'no-such-bucket' does not exist/,
    );
    return true;
  });
});

test("a run with a runId to s3:// that fails keeps its committed objects; mode 'resume' writes only the rest", async () => {
  const input = join(dir, 'resume-input');
  mkdirSync(input, { recursive: true });
  for (let f = 0; f < 12; f++)
    writeFileSync(
      join(input, `part-${String(f).padStart(2, '0')}.jsonl`),
      [0, 1].map((r) => JSON.stringify({ id: f * 2 + r, text: `row ${f * 2 + r}` })).join('\n'),
    );
  const calls = join(dir, 'resume-calls.txt');
  process.env[CALLS_FILE_ENV] = calls;
  process.env[RESUME_FAIL_AT_ENV] = '21';
  try {
    const job = () =>
      readJson<{ id: number; text: string }>(input)
        .map(countedRowUdf)
        .writeParquet('s3://out/resume', { storage, runId: 'r1', mode: 'resume', cpus: 2, progress: 'off' });
    await assert.rejects(job(), /run 'r1' failed; what it committed stays in s3:\/\/out\/resume/);
    const recordedBefore = (await s3.keys('out', 'resume/_sluice-runs/r1/')).filter((key) => /\/\d+\.json$/.test(key)).length;
    assert.ok(recordedBefore > 0, 'some partitions were committed and recorded before the failure');
    assert.deepEqual(await s3.openUploads('out'), []);
    writeFileSync(calls, '');
    delete process.env[RESUME_FAIL_AT_ENV];
    const result = await job();
    assert.equal(result.rows, 24);
    const rows = await readParquet('s3://out/resume', { storage }).takeAll({ progress: 'off' });
    assert.deepEqual(
      rows.map((r) => Number(r.id)).sort((a, b) => a - b),
      Array.from({ length: 24 }, (_, i) => i),
    );
    // Only the unrecorded partitions (2 rows each) were mapped again.
    assert.equal(readFileSync(calls, 'utf8').split('\n').filter(Boolean).length, 24 - 2 * recordedBefore);
    const keys = await s3.keys('out', 'resume/');
    assert.ok(keys.includes('resume/_SUCCESS'));
    assert.equal(keys.filter((k) => /^resume\/run-r1_\d{6}_000\.parquet$/.test(k)).length, 12, keys.join(', '));
  } finally {
    delete process.env[CALLS_FILE_ENV];
    delete process.env[RESUME_FAIL_AT_ENV];
  }
});
