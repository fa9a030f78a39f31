/**
 * readParquet of a row group larger than a read task's share (32 MiB uncompressed): its rows
 * are split into ranges, a task each, that read only their own pages (the file's offset index
 * says which); on S3 the split read fetches the object about once in all, and a projection
 * fetches only the asked column's pages. A file without a page index (DuckDB's) keeps a task
 * per row group. The file is sluice's own (parquet-wasm), checked with DuckDB.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { Field, FixedSizeList, Float32, Int64, makeData, RecordBatch, Schema, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { fromArrow, readParquet, type StorageOptions } from '../src/index.js';
import { duckdbRun, operatorStats, tempDir } from './fixtures/io-read-helpers.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';

/** ~40 MiB of vectors in one row group: more than one read task's 32 MiB. */
const ROWS = 26_000;
const DIM = 384;
const dir = tempDir('parquet-split');
const out = join(dir, 'sluice');
let file = '';
let s3: S3TestServer;
let storage: StorageOptions;

/** Values of 20 bits over 1,024, exact in float32 and too many for a dictionary (so ~1.5 KiB a row, as an embedding). */
const valueAt = (i: number, d: number) => (Math.imul(i * DIM + d, 2654435761) >>> 12) / 1024;
const textOf = (i: number) => `row ${i} `.padEnd(40, String.fromCharCode(97 + (i % 26)));

/** id int64, text utf8, vector FixedSizeList<384, float32>, with values every row can be checked against. */
function makeTable(): Table {
  const ids = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i));
  const values = Float32Array.from({ length: ROWS * DIM }, (_, k) => valueAt(Math.floor(k / DIM), k % DIM));
  const vectorType = new FixedSizeList(DIM, new Field('item', new Float32(), false));
  const fields = [new Field('id', new Int64(), false), new Field('text', new Utf8(), false), new Field('vector', vectorType, false)];
  const children = [
    makeData({ type: new Int64(), length: ROWS, data: ids }),
    vectorFromArray(
      Array.from({ length: ROWS }, (_, i) => textOf(i)),
      new Utf8(),
    ).data[0],
    makeData({ type: vectorType, length: ROWS, nullCount: 0, child: makeData({ type: new Float32(), length: ROWS * DIM, data: values }) }),
  ];
  const schema = new Schema(fields);
  return new Table(new RecordBatch(schema, makeData({ type: new Struct(fields), length: ROWS, nullCount: 0, children })));
}

/** Rows of a DuckDB query, as plain values. */
async function duckdb(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

before(async () => {
  await fromArrow(makeTable()).writeParquet(out, { progress: 'off' });
  const files = readdirSync(out).filter((f) => f.endsWith('.parquet'));
  assert.equal(files.length, 1);
  file = join(out, files[0]);
  s3 = await startS3Server();
  storage = s3.storage;
  await s3.bucket('data');
  await s3.upload('s3://data/big.parquet', readFileSync(file));
});

after(() => s3.stop());

test('a row group over 32 MiB is read by several tasks, with every row once, in order, and equal values', async () => {
  const [[groups, bytes]] = await duckdb(
    `SELECT count(DISTINCT row_group_id), sum(total_uncompressed_size) FROM parquet_metadata('${file}')`,
  );
  assert.equal(Number(groups), 1, 'one row group (DuckDB says)');
  assert.ok(Number(bytes) > 32 * 1024 * 1024, `${String(bytes)} uncompressed bytes`);

  const ds = readParquet<{ id: bigint; text: string; vector: Float32Array }>(file);
  const rows = await ds.takeAll({ preserveOrder: true, cpus: 2 });
  const read = operatorStats(await ds.stats(), 'ReadParquet');
  assert.ok(read.tasks >= 2, `${read.tasks} read tasks for one row group`);
  assert.equal(read.blocksOut, read.tasks);
  assert.equal(rows.length, ROWS);
  for (const [i, row] of rows.entries()) {
    if (row.id !== BigInt(i) || row.text !== textOf(i) || row.vector.length !== DIM) assert.fail(`row ${i}: ${row.id} ${row.text}`);
    for (let d = 0; d < DIM; d++) if (row.vector[d] !== valueAt(i, d)) assert.fail(`row ${i}, value ${d}: ${row.vector[d]}`);
  }
  // parquet-wasm decodes a range in batches of ~1 MiB; each task's block is one batch of them, copied out end to end.
  let blocks = 0;
  for await (const table of readParquet(file).iterBatches({ batchFormat: 'arrow', batchSize: null, cpus: 2 })) {
    assert.equal(table.batches.length, 1, `a block of ${table.numRows} rows in ${table.batches.length} batches`);
    blocks++;
  }
  assert.equal(blocks, read.tasks);
  // The ranges meet: a limit and a projection read through them too.
  assert.deepEqual(
    (await readParquet<{ id: bigint }>(file, { columns: ['id'] }).takeAll({ preserveOrder: true })).map((r) => Number(r.id)),
    Array.from({ length: ROWS }, (_, i) => i),
  );
});

test('on S3 the split read fetches each page about once, and a projection only the asked column', async () => {
  const size = statSync(file).size;
  const fetched = () => s3.requests.filter((r) => r.method === 'GET' && r.path === '/data/big.parquet');

  s3.clearRequests();
  const ds = readParquet('s3://data/big.parquet', { storage });
  assert.equal(await ds.count({ cpus: 2 }), ROWS);
  const tasks = operatorStats(await ds.stats(), 'ReadParquet').tasks;
  assert.ok(tasks >= 2, `${tasks} tasks`);
  const all = fetched().reduce((total, r) => total + r.bytesOut, 0);
  // Whole column chunks per task would be `tasks` times the file; the pages of each range are about it once.
  assert.ok(all >= size * 0.9 && all < size * 1.15, `${all} bytes fetched for ${tasks} tasks over a ${size}-byte object`);

  s3.clearRequests();
  const ids = await readParquet<{ id: bigint }>('s3://data/big.parquet', { storage, columns: ['id'] }).takeAll({ cpus: 2 });
  assert.equal(ids.length, ROWS);
  const gets = fetched();
  assert.ok(
    gets.every((r) => r.range !== undefined),
    'ranged GETs only',
  );
  const bytes = gets.reduce((total, r) => total + r.bytesOut, 0);
  const [[idBytes]] = await duckdb(`SELECT sum(total_compressed_size) FROM parquet_metadata('${file}') WHERE path_in_schema = 'id'`);
  // The id column's chunk, and per task the footer and page index: a few percent of the object.
  assert.ok(bytes < Number(idBytes) + size * 0.03, `${bytes} bytes fetched for columns: ['id'] of a ${size}-byte object`);
});

test("a row group without a page index (DuckDB's files) stays one task, as a range of its rows would read all of its pages", async () => {
  const duck = join(dir, 'duck.parquet');
  await duckdbRun(`COPY (SELECT * FROM read_parquet('${file}')) TO '${duck}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`);
  const [[groups]] = await duckdb(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${duck}')`);
  const ds = readParquet<{ id: bigint; vector: Float32Array }>(duck);
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.equal(operatorStats(await ds.stats(), 'ReadParquet').tasks, Number(groups));
  assert.equal(rows.length, ROWS);
  assert.ok(rows.every((row, i) => row.id === BigInt(i) && row.vector[DIM - 1] === valueAt(i, DIM - 1)));
});
