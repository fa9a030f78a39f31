/**
 * Every reader over s3:// paths, against a real S3 server on loopback (s3rver): a prefix (a
 * "directory"), a glob over keys, a single key; the same rows as reading the same files
 * locally; Parquet read by ranged GETs (the whole object is never downloaded); missing
 * buckets and keys named in typed errors; explicit `storage` options and the AWS environment.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FileReadError, readBinaryFiles, readCsv, readJson, readParquet, readText, type StorageOptions } from '../src/index.js';
import { duckdbRun, operatorStats, tempDir } from './fixtures/io-read-helpers.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';

const dir = tempDir('read-s3');
let s3: S3TestServer;
let storage: StorageOptions;
/** The big file: 200k rows in 8 row groups, of which a read of one column needs a small part. */
const BIG_ROWS = 200_000;

before(async () => {
  s3 = await startS3Server();
  storage = s3.storage;
  const root = await s3.bucket('data');
  await duckdbRun(
    `COPY (SELECT i::BIGINT AS id, 'name ' || i AS name FROM range(0, 3000) t(i)) TO '${join(dir, 'a.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`,
    `COPY (SELECT i::BIGINT AS id, 'name ' || i AS name FROM range(3000, 5000) t(i)) TO '${join(dir, 'b.parquet')}' (FORMAT parquet)`,
    `COPY (SELECT i::BIGINT AS id, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS payload, random() AS score FROM range(${BIG_ROWS}) t(i))
       TO '${join(dir, 'big.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 25000)`,
  );
  writeFileSync(
    join(dir, 'docs.jsonl'),
    Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: i, text: 't'.repeat(i % 41) })).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'table.csv'), 'id,name,ok\n1,one,true\n2,"two, quoted",false\n3,three,true\n');
  writeFileSync(join(dir, 'poem.txt'), '\uFEFFfirst line\r\n\r\nsecond line\nthird line');
  for (const name of ['a.parquet', 'b.parquet']) await s3.upload(`${root}/tables/${name}`, readFileSync(join(dir, name)));
  await s3.upload(`${root}/tables/_SUCCESS`, '');
  await s3.upload(`${root}/tables/.hidden/c.parquet`, readFileSync(join(dir, 'a.parquet')));
  await s3.upload(`${root}/tables/notes.txt`, 'not parquet');
  await s3.upload(`${root}/big/big.parquet`, readFileSync(join(dir, 'big.parquet')));
  await s3.upload(`${root}/docs/part-0.jsonl`, readFileSync(join(dir, 'docs.jsonl')));
  await s3.upload(`${root}/csv/table.csv`, readFileSync(join(dir, 'table.csv')));
  await s3.upload(`${root}/text/poem.txt`, readFileSync(join(dir, 'poem.txt')));
  await s3.upload(`${root}/bin/x.dat`, new Uint8Array([0, 1, 2, 255]));
  await s3.upload(`${root}/bin/sub/y.dat`, new Uint8Array(0));
});

after(() => s3.stop());

const ids = (rows: { id: number | bigint }[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
const span = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('readParquet over an s3:// prefix: every object below it, hidden names and other extensions left out, a task per row group', async () => {
  for (const prefix of ['s3://data/tables', 's3://data/tables/']) {
    const ds = readParquet<{ id: bigint; name: string; path: string }>(prefix, {
      storage,
      fileExtensions: ['parquet'],
      includePaths: true,
    });
    const rows = await ds.takeAll();
    assert.deepEqual(ids(rows), span(0, 5000), prefix);
    assert.deepEqual([...new Set(rows.map((r) => r.path))].sort(), ['s3://data/tables/a.parquet', 's3://data/tables/b.parquet']);
    const local = readParquet([join(dir, 'a.parquet'), join(dir, 'b.parquet')]);
    await local.count();
    const rowGroups = operatorStats(await local.stats(), 'ReadParquet').tasks;
    assert.ok(rowGroups > 2, `several row groups (${rowGroups})`);
    assert.equal(operatorStats(await ds.stats(), 'ReadParquet').tasks, rowGroups);
  }
});

test('readParquet over a glob of keys and a single key, with columns, equal to the local read', async () => {
  const glob = await readParquet<{ id: bigint }>('s3://data/tables/*.parquet', { storage, columns: ['id'] }).takeAll();
  assert.deepEqual(ids(glob), span(0, 5000));
  assert.deepEqual(Object.keys(glob[0]), ['id']);
  const remote = await readParquet('s3://data/tables/b.parquet', { storage }).takeAll({ preserveOrder: true });
  const local = await readParquet(join(dir, 'b.parquet')).takeAll({ preserveOrder: true });
  assert.deepEqual(remote, local);
});

test('a large Parquet object is read by ranged GETs: the footer and the column asked for, never the whole object', async () => {
  const size = readFileSync(join(dir, 'big.parquet')).byteLength;
  s3.clearRequests();
  const rows = await readParquet<{ id: bigint }>('s3://data/big/big.parquet', { storage, columns: ['id'] }).takeAll({ cpus: 2 });
  assert.equal(rows.length, BIG_ROWS);
  const gets = s3.requests.filter((r) => r.method === 'GET' && r.path === '/data/big/big.parquet');
  assert.ok(gets.length >= 8, `a GET per row group at least (${gets.length})`);
  assert.ok(
    gets.every((r) => r.range !== undefined),
    `every GET is ranged: ${gets.map((r) => r.range ?? 'whole').join(' ')}`,
  );
  const bytes = gets.reduce((total, r) => total + r.bytesOut, 0);
  assert.ok(bytes < size / 3, `${bytes} bytes read of a ${size}-byte object`);
});

test('readJson over s3:// in small byte ranges: every line once, each range one ranged GET', async () => {
  s3.clearRequests();
  const ds = readJson<{ id: number; text: string }>('s3://data/docs/', { storage, fragmentBytes: 1000 });
  const rows = await ds.takeAll({ cpus: 2 });
  assert.deepEqual(ids(rows), span(0, 500));
  assert.ok(rows.every((r) => r.text === 't'.repeat(r.id % 41)));
  const tasks = operatorStats(await ds.stats(), 'ReadJson').tasks;
  assert.ok(tasks > 10, `${tasks} tasks`);
  const ranged = s3.requests.filter((r) => r.method === 'GET' && r.range !== undefined && r.path.endsWith('part-0.jsonl'));
  assert.ok(ranged.length >= tasks, `${ranged.length} ranged GETs for ${tasks} ranges`);
});

test('readCsv, readText and readBinaryFiles over s3:// give the rows of the same files read locally', async () => {
  assert.deepEqual(
    await readCsv('s3://data/csv/table.csv', { storage }).takeAll({ preserveOrder: true }),
    await readCsv(join(dir, 'table.csv')).takeAll({ preserveOrder: true }),
  );
  const text = await readText('s3://data/text/', { storage, fragmentBytes: 7 }).takeAll({ preserveOrder: true });
  assert.deepEqual(
    text.map((r) => r.text),
    ['first line', 'second line', 'third line'],
  );
  const files = await readBinaryFiles('s3://data/bin', { storage }).takeAll({ preserveOrder: true });
  assert.deepEqual(
    files.map((f) => [f.path, [...f.bytes]]),
    [
      ['s3://data/bin/sub/y.dat', []],
      ['s3://data/bin/x.dat', [0, 1, 2, 255]],
    ],
  );
});

test('a bucket named alone (s3://bucket or s3://bucket/) is read whole', async () => {
  for (const path of ['s3://data', 's3://data/']) {
    const files = await readBinaryFiles(path, { storage, fileExtensions: ['dat'] }).takeAll({ preserveOrder: true });
    assert.deepEqual(
      files.map((f) => f.path),
      ['s3://data/bin/sub/y.dat', 's3://data/bin/x.dat'],
      path,
    );
  }
});

test('a missing bucket, key or prefix is a FileReadError naming the s3:// path and saying what is wrong', async () => {
  const cases: [string, RegExp][] = [
    ['s3://no-such-bucket/x.parquet', /the bucket 'no-such-bucket' does not exist/],
    ['s3://data/tables/missing.parquet', /no object at this key, and no objects below it/],
    ['s3://data/nothing/*.parquet', /the glob matched no files/],
  ];
  for (const [path, problem] of cases) {
    await assert.rejects(readParquet(path, { storage }).takeAll(), (error: unknown) => {
      assert.ok(error instanceof FileReadError, String(error));
      assert.equal(error.input.path, path);
      assert.match(error.message, problem);
      assert.match(error.message, /^ReadParquet failed at file s3:\/\//);
      return true;
    });
  }
  // A key that vanished between listing and reading: the read task names it.
  await assert.rejects(
    readBinaryFiles(['s3://data/bin/x.dat', 's3://data/bin/gone.dat'], { storage }).takeAll(),
    /s3:\/\/data\/bin\/gone\.dat/,
  );
});

test('without a storage option the AWS environment is used (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); explicit options win over it', async () => {
  const names = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = names.map((name) => process.env[name]);
  s3.addCredentials({ accessKeyId: 'ENVKEY', secretAccessKey: 'env-secret' });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_REGION: 'eu-west-3',
    AWS_ACCESS_KEY_ID: 'ENVKEY',
    AWS_SECRET_ACCESS_KEY: 'env-secret',
  });
  try {
    s3.clearRequests();
    const rows = await readJson<{ id: number }>('s3://data/docs/part-0.jsonl').takeAll();
    assert.equal(rows.length, 500);
    assert.ok(s3.requests.length > 0);
    // An explicit endpoint wins: a closed port fails, whatever the environment says.
    await assert.rejects(
      readJson('s3://data/docs/', { storage: { endpoint: 'http://127.0.0.1:9' } }).takeAll(),
      /cannot reach the S3 endpoint/,
    );
  } finally {
    names.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i])));
  }
});
