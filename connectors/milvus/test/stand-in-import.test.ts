/**
 * The stand-in's Import, which the bulk-import tests rely on: files written by DuckDB (not by
 * sluice) into a real S3 server are read back and held to Milvus's import rules. A good file
 * becomes visible only once its job reports Completed, after Pending and Importing polls;
 * files that break a rule fail their job with a reason naming the file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { ImportState, MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { S3TestServer } from '../../../dist/test/fixtures/s3-server.js';
import { MilvusStandIn, type SimpleField } from './fixtures/milvus-stand-in.js';
import { collectionName } from './fixtures/milvus-target.js';

const { startS3Server } = (await import(
  new URL('../../../../dist/test/fixtures/s3-server.js', import.meta.url).href
)) as typeof import('../../../dist/test/fixtures/s3-server.js');

const BUCKET = 'stand-in-import';
let s3: S3TestServer;
let milvus: MilvusStandIn;
let client: MilvusClient;
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-stand-in-import-'));
  s3 = await startS3Server();
  await s3.bucket(BUCKET);
  milvus = await MilvusStandIn.start({
    objectStore: { endpoint: s3.endpoint, bucket: BUCKET, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
  });
  client = new MilvusClient({ address: milvus.uri, maxRetries: 0, telemetry: { enabled: false } });
});
after(async () => {
  await client.closeConnection();
  await milvus.stop();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

const FIELDS: SimpleField[] = [
  { name: 'id', type: 'VarChar', primary: true, maxLength: 16 },
  { name: 'vec', type: 'FloatVector', dim: 4 },
  { name: 'half', type: 'Float16Vector', dim: 2 },
  { name: 'note', type: 'VarChar', maxLength: 16, nullable: true },
];

let files = 0;
/** Writes `select` to Parquet with DuckDB and uploads it; resolves to its key in the bucket. */
async function parquetFile(select: string): Promise<string> {
  const name = `f${files++}.parquet`;
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${select}) TO '${join(dir, name)}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  await s3.upload(`s3://${BUCKET}/run/${name}`, await readFile(join(dir, name)));
  return `run/${name}`;
}

/** Submits an import and polls it until it ends; resolves to the states seen and the last answer. */
async function runImport(collection: string, keys: string[]) {
  const submitted = await client.bulkInsert({ collection_name: collection, files: keys });
  assert.equal(submitted.status.error_code, 'Success', submitted.status.reason);
  const states: string[] = [];
  for (;;) {
    const state = await client.getImportState({ task: Number(submitted.tasks[0]) });
    if (states.at(-1) !== state.state) states.push(String(state.state));
    if (state.state === ImportState.ImportCompleted || state.state === ImportState.ImportFailed) {
      return { states, rows: Number(state.row_count), reason: String(state.infos.find((i) => i.key === 'failed_reason')?.value ?? '') };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const GOOD = `SELECT 'k' || i AS id, [i::FLOAT, 0.5, 1, 2] AS vec, [0::UTINYINT, 60::UTINYINT, 0::UTINYINT, 192::UTINYINT] AS half,
  CASE WHEN i % 2 = 0 THEN NULL ELSE 'n' || i END AS note FROM range(6) t(i)`;

test('a good file is imported: Pending, Importing, then Completed with its rows, half floats decoded', async () => {
  const collection = collectionName('import');
  milvus.createCollection(collection, FIELDS);
  const result = await runImport(collection, [await parquetFile(GOOD)]);
  assert.deepEqual(result.states, ['ImportPending', 'ImportStarted', 'ImportCompleted']);
  assert.equal(result.rows, 6);
  const rows = milvus.rows(collection).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  assert.deepEqual(rows[1], { id: 'k1', vec: [1, 0.5, 1, 2], half: [1, -2], note: 'n1' });
  assert.equal(rows[0].note, null);
  const tasks = await client.listImportTasks({ collection_name: collection });
  assert.equal(tasks.tasks.length, 1);
});

const BROKEN: { name: string; select: string; reason: RegExp }[] = [
  {
    name: 'a vector of the wrong length',
    select: GOOD.replace('[i::FLOAT, 0.5, 1, 2]', '[i::FLOAT, 0.5, 1]'),
    reason: /field 'vec' at row 0 has 3 values, expected 4/,
  },
  {
    name: 'half-float bytes of the wrong count',
    select: GOOD.replace(', 192::UTINYINT]', ']'),
    reason: /field 'half' at row 0 has 3 bytes, expected 4/,
  },
  {
    name: 'a null vector',
    select: GOOD.replace('[i::FLOAT, 0.5, 1, 2] AS vec', 'NULL::FLOAT[] AS vec'),
    reason: /vectors can never be null/,
  },
  {
    name: 'floats stored as doubles in a half-float column',
    select: GOOD.replace('[0::UTINYINT, 60::UTINYINT, 0::UTINYINT, 192::UTINYINT]', '[1.0, 2.0]'),
    reason: /field 'half' type mis-match, milvus data type 'Float16Vector', arrow data type get 'DECIMAL\(2,1\)\[\]'/,
  },
  { name: 'a column the schema does not have', select: `SELECT *, 1 AS extra FROM (${GOOD})`, reason: /the field: extra is not in schema/ },
  { name: 'a required field left out', select: `SELECT id, half, note FROM (${GOOD})`, reason: /no parquet field for milvus file 'vec'/ },
];
for (const broken of BROKEN) {
  test(`${broken.name} fails the job, naming the file`, async () => {
    const collection = collectionName('import');
    milvus.createCollection(collection, FIELDS);
    const key = await parquetFile(broken.select);
    const result = await runImport(collection, [key]);
    assert.equal(result.states.at(-1), 'ImportFailed');
    assert.match(result.reason, new RegExp(`file '${key}'`));
    assert.match(result.reason, broken.reason);
    assert.equal(milvus.count(collection), 0);
  });
}

test('an auto-id primary key must be absent; $meta must hold JSON objects', async () => {
  const auto = collectionName('import');
  milvus.createCollection(auto, [
    { name: 'pk', type: 'Int64', primary: true, autoId: true },
    { name: 'vec', type: 'FloatVector', dim: 2 },
  ]);
  const withKey = await runImport(auto, [await parquetFile('SELECT i AS pk, [1::FLOAT, 2] AS vec FROM range(3) t(i)')]);
  assert.match(withKey.reason, /the primary key 'pk' is auto-generated, no need to provide/);
  const withoutKey = await runImport(auto, [await parquetFile('SELECT [1::FLOAT, 2] AS vec FROM range(3) t(i)')]);
  assert.equal(withoutKey.rows, 3);

  const dynamic = collectionName('import');
  milvus.createCollection(
    dynamic,
    [
      { name: 'id', type: 'Int64', primary: true },
      { name: 'vec', type: 'FloatVector', dim: 2 },
    ],
    { dynamic: true },
  );
  const badMeta = await runImport(dynamic, [
    await parquetFile(`SELECT i AS id, [1::FLOAT, 2] AS vec, '[1]' AS "$meta" FROM range(2) t(i)`),
  ]);
  assert.match(badMeta.reason, /the field '\$meta' at row 0 must be a JSON object/);
  const goodMeta = await runImport(dynamic, [
    await parquetFile(`SELECT i AS id, [1::FLOAT, 2] AS vec, '{"p": ' || i || '}' AS "$meta" FROM range(2) t(i)`),
  ]);
  assert.equal(goodMeta.rows, 2);
  assert.deepEqual(
    milvus.rows(dynamic).map((r) => r.$meta),
    [{ p: 0 }, { p: 1 }],
  );
});

test('a missing file fails its job; more than 1,024 files, or none, are refused at once', async () => {
  const collection = collectionName('import');
  milvus.createCollection(collection, FIELDS);
  const missing = await runImport(collection, ['run/nothing-here.parquet']);
  assert.match(missing.reason, /failed to read the file 'run\/nothing-here.parquet' from bucket 'stand-in-import': NoSuchKey/);
  const tooMany = await client.bulkInsert({
    collection_name: collection,
    files: Array.from({ length: 1025 }, (_, i) => `run/${i}.parquet`),
  });
  assert.match(tooMany.status.reason, /The max number of import files should not exceed 1024, but got 1025/);
  const none = await client.bulkInsert({ collection_name: collection, files: [] });
  assert.match(none.status.reason, /import request is empty/);
});
