/**
 * bulkImportMilvus against the stand-in, with the files in a real S3 server on loopback: every
 * row imported once, across several jobs of a few files each; a rerun with the same run id
 * skips the upload and the imports; a failed job reaches the user with Milvus's reason and the
 * file, and a rerun resubmits only it; a run killed mid-import is finished by a rerun without a
 * second import of any file. With MILVUS_URI set, an import into that Milvus (through its MinIO:
 * MILVUS_IMPORT_S3_ENDPOINT, MILVUS_IMPORT_BUCKET, MILVUS_IMPORT_S3_KEY/SECRET, defaults as the
 * README's compose file) and its rerun.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConsistencyLevelEnum, DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { fromItems, readJson, seededRandom, WriteError } from 'sluice';
import type { S3TestServer } from '../../../dist/test/fixtures/s3-server.js';
import { bulkImportMilvus, ImportJobError, type BulkImportOptions, type ImportManifest } from '../src/index.js';
import { recordedCalls, writeIdFiles } from './fixtures/id-files.js';
import { importFields, importRows } from './fixtures/import-rows.js';
import { IMPORT_CALLS_ENV, IMPORT_FAIL_AT_ENV, IMPORT_ROW_MS_ENV, toImportRowUdf } from './fixtures/import-resume-udfs.js';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';
import { collectionName, REAL_MILVUS_SKIPPED, REAL_MILVUS_URI } from './fixtures/milvus-target.js';

const { startS3Server } = (await import(
  new URL('../../../../dist/test/fixtures/s3-server.js', import.meta.url).href
)) as typeof import('../../../dist/test/fixtures/s3-server.js');

const BUCKET = 'milvus-bucket';
let s3: S3TestServer;
let milvus: MilvusStandIn;

before(async () => {
  s3 = await startS3Server();
  await s3.bucket(BUCKET);
  milvus = await MilvusStandIn.start({
    objectStore: { endpoint: s3.endpoint, bucket: BUCKET, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
  });
});
after(async () => {
  await milvus.stop();
  await s3.stop();
});

function options(collection: string, runId: string, extra: Partial<BulkImportOptions> = {}): BulkImportOptions {
  return {
    uri: milvus.uri,
    collection,
    runId,
    storage: { ...s3.storage, bucket: BUCKET, prefix: 'imports' },
    // Small files and two files a job: several jobs from a few thousand rows.
    fileSize: 64 * 1024,
    filesPerJob: 2,
    pollMs: 10,
    progress: 'off',
    ...extra,
  };
}

async function manifestOf(runId: string): Promise<ImportManifest> {
  return JSON.parse(new TextDecoder().decode(await s3.download(`s3://${BUCKET}/imports/${runId}/_sluice-import.json`))) as ImportManifest;
}

/** Import calls the stand-in received for a collection, and the files each named. */
function importedFiles(collection: string): string[] {
  return milvus
    .importJobs()
    .filter((job) => job.collection === collection)
    .flatMap((job) => job.files);
}

test('every row is imported once, in jobs of at most filesPerJob files, and the stand-in holds them exactly', async () => {
  milvus.createCollection('docs', importFields);
  const rows = importRows(3000);
  const result = await bulkImportMilvus(fromItems(rows), options('docs', 'run-a'));
  assert.equal(result.rows, 3000);
  assert.equal(result.resumedUpload, false);
  assert.ok(result.files.length >= 3, `several files (${result.files.length})`);
  assert.ok(result.jobs.length >= 2 && result.jobs.every((job) => job.files.length <= 2));
  assert.equal(
    result.files.reduce((sum, f) => sum + f.rows, 0),
    3000,
  );
  assert.ok(result.files.every((f) => f.path.startsWith('imports/run-a/files/') && /^[0-9a-f]{64}$/.test(f.sha256)));
  assert.deepEqual(importedFiles('docs').sort(), result.files.map((f) => f.path).sort(), 'each file in exactly one job');

  assert.equal(milvus.count('docs'), 3000);
  const stored = new Map(milvus.rows('docs').map((r) => [Number(r.id), r]));
  for (const row of [rows[0], rows[1234], rows[2999]]) {
    const got = stored.get(row.id)!;
    assert.deepEqual(got.vector, [...row.vector]);
    assert.equal(got.title, row.title);
    // Float16 as Milvus keeps it, decoded by the stand-in: 0.1 is 0.0999755859375 in half precision.
    assert.deepEqual(got.half, [row.id % 100, 0.5, -2, 0.0999755859375]);
  }
  const manifest = await manifestOf('run-a');
  assert.ok(manifest.jobs.every((job) => job.state === 'completed' && job.jobId !== null));
  assert.equal(
    manifest.jobs.reduce((sum, job) => sum + job.rows, 0),
    3000,
  );
});

test('a rerun with the same run id skips the upload and every completed job', async () => {
  const importsBefore = milvus.callsOf('Import').length;
  const result = await bulkImportMilvus(fromItems(importRows(3000)), options('docs', 'run-a'));
  assert.equal(result.resumedUpload, true);
  assert.equal(result.rows, 3000);
  assert.equal(milvus.callsOf('Import').length, importsBefore, 'no import submitted again');
  assert.equal(milvus.count('docs'), 3000);
});

test("a failed job rejects with Milvus's reason and its files; a rerun resubmits only that job", async () => {
  milvus.createCollection('failing', importFields);
  const reason = 'the vector of field vector in row 7 has 7 values, expected 8';
  milvus.failNextImport(reason);
  const error = await bulkImportMilvus(fromItems(importRows(1500)), options('failing', 'run-f', { jobsInFlight: 1 })).then(
    () => assert.fail('the import should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ImportJobError, String(error));
  // Milvus's reason as it sent it: the stand-in, as Milvus, adds its error's own words after the cause.
  assert.equal(error.reason, `${reason}: importing data failed`);
  assert.match(
    error.message,
    new RegExp(`^import job \\d+ into collection 'failing' failed: ${reason}: importing data failed \\(files: imports/run-f/files/`),
  );
  const failed = (await manifestOf('run-f')).jobs.find((job) => job.state === 'failed')!;
  assert.deepEqual(failed.files, error.files);

  const before = importedFiles('failing');
  const result = await bulkImportMilvus(fromItems(importRows(1500)), options('failing', 'run-f'));
  assert.equal(result.resumedUpload, true);
  assert.equal(result.rows, 1500);
  assert.equal(milvus.count('failing'), 1500, 'nothing doubled');
  const again = importedFiles('failing').slice(before.length);
  assert.deepEqual(again.sort(), [...error.files].sort(), 'only the failed job was submitted again');
});

test('a run killed mid-import is finished by a rerun, without importing any file twice', async () => {
  milvus.createCollection('killed', importFields);
  milvus.delay('GetImportState', 200);
  const job = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./fixtures/bulk-import-job.js', import.meta.url)),
      JSON.stringify(options('killed', 'run-k', { jobsInFlight: 1 })),
      '2000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise((resolve) => job.on('exit', resolve));
  // Killed once its first job is recorded in the manifest with Milvus's id, while it polls.
  for (;;) {
    const manifest = await manifestOf('run-k').catch(() => null);
    if (manifest?.jobs.some((j) => j.jobId !== null)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  job.kill('SIGKILL');
  await exited;
  milvus.delay('GetImportState', 0);
  const submitted = importedFiles('killed');
  assert.ok(submitted.length > 0);

  const result = await bulkImportMilvus(fromItems(importRows(2000)), options('killed', 'run-k'));
  assert.equal(result.rows, 2000);
  assert.equal(milvus.count('killed'), 2000);
  const all = importedFiles('killed');
  assert.equal(new Set(all).size, all.length, 'no file imported twice');
  assert.deepEqual([...all].sort(), result.files.map((f) => f.path).sort());
});

test('an upload cut off by the S3 server going down fails the run before any import; a rerun uploads again and imports every row once', async () => {
  let heldOnce = false;
  const flaky = await startS3Server({
    partDelayMs: 50,
    // Down at the first part of a multipart upload: the file being written is cut off mid-upload.
    onPartHeld: () => {
      if (heldOnce) return;
      heldOnce = true;
      flaky.goDown();
    },
  });
  await flaky.bucket(BUCKET);
  const importer = await MilvusStandIn.start({
    objectStore: { endpoint: flaky.endpoint, bucket: BUCKET, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
  });
  try {
    importer.createCollection('cut', [
      { name: 'id', type: 'Int64', primary: true },
      { name: 'vector', type: 'FloatVector', dim: 384 },
    ]);
    const random = seededRandom(3);
    // Random floats do not compress: files of 8 MiB of Arrow data are over the 5 MiB of one PUT.
    const rows = Array.from({ length: 8000 }, (_, id) => ({ id, vector: Float32Array.from({ length: 384 }, random) }));
    const run = () =>
      bulkImportMilvus(fromItems(rows), {
        uri: importer.uri,
        collection: 'cut',
        runId: 'run-cut',
        storage: { ...flaky.storage, bucket: BUCKET, prefix: 'imports' },
        fileSize: 8 * 1024 ** 2,
        pollMs: 10,
        progress: 'off',
      });
    await assert.rejects(
      run(),
      (error: unknown) => error instanceof WriteError && /s3:\/\/milvus-bucket\/imports\/run-cut\/files/.test(error.message),
    );
    assert.ok(heldOnce, 'the server went down during a multipart upload');
    assert.equal(importer.callsOf('Import').length, 0, 'nothing imported from a cut-off upload');

    flaky.comeBack();
    const result = await run();
    assert.equal(result.resumedUpload, false, 'the upload never completed, so it is done again');
    assert.equal(result.rows, 8000);
    assert.equal(importer.count('cut'), 8000);
    const submitted = importer.importJobs().flatMap((job) => job.files);
    assert.deepEqual([...submitted].sort(), result.files.map((f) => f.path).sort(), 'each file of the rerun imported once');
    assert.deepEqual(
      (await flaky.keys(BUCKET, 'imports/run-cut/files/')).sort(),
      [...submitted, 'imports/run-cut/files/_SUCCESS'].sort(),
      'no file of the cut-off upload left behind',
    );
  } finally {
    await importer.stop();
    await flaky.stop();
  }
});

test('rows read from files upload as a run: an upload that fails keeps its committed files, and the rerun uploads and maps only the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-import-resume-'));
  const collection = collectionName('resume');
  milvus.createCollection(collection, importFields);
  const input = writeIdFiles(dir, 20, 10);
  const calls = join(dir, 'calls.txt');
  const mapped = () => recordedCalls(calls).length;
  process.env[IMPORT_CALLS_ENV] = calls;
  process.env[IMPORT_FAIL_AT_ENV] = '155';
  try {
    const run = () => bulkImportMilvus(readJson<{ id: number }>(input).map(toImportRowUdf), options(collection, 'resume-1', { cpus: 2 }));
    await assert.rejects(run(), /run 'resume-1' failed; what it committed stays in s3:\/\/milvus-bucket\/imports\/resume-1\/files/);
    assert.equal(importedFiles(collection).length, 0, 'nothing imported from a failed upload');
    const records = (await s3.keys(BUCKET, 'imports/resume-1/files/_sluice-runs/resume-1/')).filter((key) =>
      /\/\d+\.json$/.test(key),
    ).length;
    assert.ok(records > 0 && records < 20, `${records} partitions committed before the failure`);

    writeFileSync(calls, '');
    delete process.env[IMPORT_FAIL_AT_ENV];
    const result = await run();
    assert.equal(mapped(), 200 - records * 10, 'only the partitions without a committed file were read and mapped again');
    assert.equal(result.rows, 200);
    assert.equal(result.files.length, 20, 'a file per partition');
    assert.equal(milvus.count(collection), 200);
    assert.deepEqual(importedFiles(collection).sort(), result.files.map((f) => f.path).sort(), 'each file imported once');
  } finally {
    delete process.env[IMPORT_CALLS_ENV];
    delete process.env[IMPORT_FAIL_AT_ENV];
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an upload killed with kill -9 keeps the partitions it committed: the rerun uploads and maps only the rest, every row imported once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-import-kill-'));
  const collection = collectionName('upload-killed');
  milvus.createCollection(collection, importFields);
  const input = writeIdFiles(dir, 60, 5);
  const calls = join(dir, 'calls.txt');
  const mapped = () => recordedCalls(calls).length;
  const records = async () =>
    (await s3.keys(BUCKET, 'imports/upload-k/files/_sluice-runs/upload-k/')).filter((key) => /\/\d+\.json$/.test(key)).length;
  const args = [
    fileURLToPath(new URL('./fixtures/bulk-import-job.js', import.meta.url)),
    JSON.stringify(options(collection, 'upload-k', { cpus: 2 })),
    '--files',
    input,
  ];
  try {
    const job = spawn(process.execPath, args, {
      stdio: 'ignore',
      env: { ...process.env, [IMPORT_CALLS_ENV]: calls, [IMPORT_ROW_MS_ENV]: '10' },
    });
    const exited = new Promise((resolve) => job.on('exit', (code, signal) => resolve(signal ?? code)));
    while ((await records()) < 15) await new Promise((resolve) => setTimeout(resolve, 20));
    job.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', 'killed mid-upload');
    assert.equal(importedFiles(collection).length, 0, 'nothing imported from a killed upload');
    const committed = await records();
    assert.ok(committed < 60);

    writeFileSync(calls, '');
    process.env[IMPORT_CALLS_ENV] = calls;
    const result = await bulkImportMilvus(
      readJson<{ id: number }>(input).map(toImportRowUdf),
      options(collection, 'upload-k', { cpus: 2 }),
    );
    assert.equal(mapped(), 300 - committed * 5, 'only the partitions without a committed file were read and mapped again');
    assert.equal(result.rows, 300);
    assert.equal(milvus.count(collection), 300);
    assert.deepEqual(importedFiles(collection).sort(), result.files.map((f) => f.path).sort(), 'each file imported once');
  } finally {
    delete process.env[IMPORT_CALLS_ENV];
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The bucket a real Milvus imports from: its MinIO, as the README's compose file starts it. */
const realImport = REAL_MILVUS_URI
  ? {
      endpoint: process.env.MILVUS_IMPORT_S3_ENDPOINT ?? 'http://localhost:9000',
      bucket: process.env.MILVUS_IMPORT_BUCKET ?? 'a-bucket',
      credentials: {
        accessKeyId: process.env.MILVUS_IMPORT_S3_KEY ?? 'minioadmin',
        secretAccessKey: process.env.MILVUS_IMPORT_S3_SECRET ?? 'minioadmin',
      },
    }
  : null;

test(
  'against a real Milvus: every row imported once, and a rerun imports nothing again',
  { skip: realImport === null ? REAL_MILVUS_SKIPPED : false },
  async () => {
    const { endpoint, bucket, credentials } = realImport!;
    const collection = collectionName('import');
    const client = new MilvusClient({ address: REAL_MILVUS_URI!, token: process.env.MILVUS_TOKEN, maxRetries: 0 });
    try {
      await client.createCollection({
        collection_name: collection,
        fields: [
          { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
          { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
          { name: 'half', data_type: DataType.Float16Vector, dim: 4 },
          { name: 'title', data_type: DataType.VarChar, max_length: 64 },
        ],
        index_params: [
          { field_name: 'vector', index_type: 'AUTOINDEX', metric_type: 'COSINE' },
          { field_name: 'half', index_type: 'AUTOINDEX', metric_type: 'COSINE' },
        ],
      });
      const run = () =>
        bulkImportMilvus(fromItems(importRows(3000)), {
          uri: REAL_MILVUS_URI!,
          token: process.env.MILVUS_TOKEN,
          collection,
          runId: collection,
          storage: { endpoint, forcePathStyle: true, region: 'us-east-1', credentials, bucket, prefix: 'sluice-tests' },
          fileSize: 64 * 1024,
          filesPerJob: 2,
          pollMs: 500,
          progress: 'off',
        });
      assert.equal((await run()).rows, 3000);
      const again = await run();
      assert.equal(again.resumedUpload, true);
      await client.loadCollectionSync({ collection_name: collection });
      const counted = await client.query({
        collection_name: collection,
        output_fields: ['count(*)'],
        consistency_level: ConsistencyLevelEnum.Strong,
      });
      assert.equal(Number(counted.data[0]['count(*)']), 3000);
    } finally {
      await client.dropCollection({ collection_name: collection });
      await client.closeConnection();
    }
  },
);

test('options that cannot work are refused before anything runs, naming the option', async () => {
  const base = options('docs', 'run-options');
  const cases: [Partial<BulkImportOptions>, RegExp][] = [
    [{ storage: { ...s3.storage, bucket: '' } }, /option 'storage.bucket' must be the bucket Milvus imports from/],
    [{ filesPerJob: 2000 }, /option 'filesPerJob' must be at most 1024/],
    [{ fileSize: 0 }, /option 'fileSize' must be a whole number above 0/],
  ];
  const importsBefore = milvus.callsOf('Import').length;
  for (const [given, message] of cases) await assert.rejects(bulkImportMilvus(fromItems(importRows(10)), { ...base, ...given }), message);
  assert.equal(milvus.callsOf('Import').length, importsBefore);
});
