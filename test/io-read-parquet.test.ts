/**
 * readParquet on files written by DuckDB: equal values for every common type, a read task
 * per row group on the task pool, projection pushdown, limits, paths and bad files.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { FileReadError, readParquet } from '../src/index.js';
import { duckdbRun, operatorStats, readErrorLog, tempDir } from './fixtures/io-read-helpers.js';

interface Doc {
  id: bigint;
  score: number;
  text: string | null;
  even: boolean;
  blob: Uint8Array | null;
  embedding: Float32Array;
  tags: Float32Array;
}

const ROWS = 5000;
const dir = tempDir('read-parquet');
const file = join(dir, 'docs.parquet');
let rowGroups = 0;

before(async () => {
  // One DuckDB thread and 2,048-row groups: a file of several row groups, the same on every run.
  await duckdbRun(
    `COPY (SELECT i::BIGINT AS id, (i * 0.5)::DOUBLE AS score,
                  CASE WHEN i % 7 = 0 THEN NULL ELSE 'text ' || i END AS text,
                  i % 2 = 0 AS even,
                  CASE WHEN i % 5 = 0 THEN NULL ELSE ('b' || i)::BLOB END AS blob,
                  list_transform(range(384), k -> (i + k)::FLOAT)::FLOAT[384] AS embedding,
                  list_transform(range(i % 4), k -> (k + 0.5)::FLOAT)::FLOAT[] AS tags
           FROM range(${ROWS}) t(i))
     TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
  );
  rowGroups = Math.ceil(ROWS / 2048);
});

function expected(i: number): Doc {
  return {
    id: BigInt(i),
    score: i * 0.5,
    text: i % 7 === 0 ? null : `text ${i}`,
    even: i % 2 === 0,
    blob: i % 5 === 0 ? null : new TextEncoder().encode(`b${i}`),
    embedding: Float32Array.from({ length: 384 }, (_, k) => i + k),
    tags: Float32Array.from({ length: i % 4 }, (_, k) => k + 0.5),
  };
}

test('readParquet reads DuckDB int64, float64, varchar, boolean, blob, NULL, FLOAT[384] and FLOAT[] columns with equal values', async () => {
  const rows = await readParquet<Doc>(file).takeAll({ preserveOrder: true });
  assert.equal(rows.length, ROWS);
  for (const i of [0, 1, 5, 7, 2047, 2048, 4999]) assert.deepEqual(rows[i], expected(i), `row ${i}`);
  assert.ok(rows.every((row, i) => row.id === BigInt(i) && row.embedding.length === 384 && row.embedding[383] === i + 383));
  const schema = await readParquet(file).schema();
  assert.deepEqual(
    schema.fields.map((f) => `${f.name}:${String(f.type)}`),
    ['id:Int64', 'score:Float64', 'text:Utf8', 'even:Bool', 'blob:Binary', 'embedding:List<Float32>', 'tags:List<Float32>'],
  );
});

test('a file of several row groups is read as one task per row group, on the task pool', async () => {
  const ds = readParquet(file);
  assert.match(ds.explain(), /ReadParquet \[task pool, 1 CPU per task\]/);
  assert.equal(await ds.count({ cpus: 2 }), ROWS);
  const read = operatorStats(await ds.stats(), 'ReadParquet');
  assert.equal(read.tasks, rowGroups);
  assert.equal(read.blocksOut, rowGroups);
  assert.ok(rowGroups >= 3);
});

test('selectColumns is pushed into the read: explain shows the columns, and only they come out', async () => {
  const ds = readParquet<Doc>(file).selectColumns(['text', 'id']);
  const plan = ds.explain();
  const optimized = plan.split('-------- Logical Plan (Optimized) --------')[1];
  assert.match(optimized, /ReadParquet\(columns: text, id\)/);
  assert.doesNotMatch(optimized, /SelectColumns/);
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual(Object.keys(rows[1]), ['text', 'id']);
  assert.deepEqual(rows[1], { text: 'text 1', id: 1n });
});

test('the columns option reads those columns; a column the file lacks names the file and its columns', async () => {
  const rows = await readParquet(file, { columns: ['even'] }).take(2);
  assert.deepEqual(Object.keys(rows[0]), ['even']);
  await assert.rejects(readParquet(file, { columns: ['id', 'nope'] }).count(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.match(
      error.message,
      /ReadParquet\(columns: id, nope\) failed at file .*docs\.parquet.*no column 'nope' in the file; the columns are id, score, text/,
    );
    return true;
  });
});

test('a limit is pushed into each row-group read and the job stops early', async () => {
  const ds = readParquet(file).limit(5);
  assert.match(ds.explain(), /ReadParquet\(limit 5\) \[task pool/);
  assert.equal((await ds.takeAll()).length, 5);
  const read = operatorStats(await ds.stats(), 'ReadParquet');
  assert.ok(read.rowsOut <= 5 * rowGroups, `read ${read.rowsOut} rows`);
});

test('a directory, a glob, an array of paths and a single file; includePaths adds the file', async () => {
  const parts = join(dir, 'parts');
  mkdirSync(join(parts, 'nested'), { recursive: true });
  copyFileSync(file, join(parts, 'a.parquet'));
  copyFileSync(file, join(parts, 'nested', 'b.parquet'));
  writeFileSync(join(parts, '_SUCCESS'), '');
  assert.equal(await readParquet(parts).count(), 2 * ROWS);
  assert.equal(await readParquet(join(parts, '**/*.parquet')).count(), 2 * ROWS);
  assert.equal(await readParquet([join(parts, 'a.parquet'), file]).count(), 2 * ROWS);
  const paths = await readParquet(parts, { includePaths: true, columns: ['id', 'path'] })
    .unique('path')
    .takeAll();
  assert.deepEqual(paths.map((r) => r.path).sort(), [join(parts, 'a.parquet'), join(parts, 'nested', 'b.parquet')]);
});

test('a file that is not Parquet is a FileReadError naming it; under skip it is logged and the other files are read', async () => {
  const mixed = join(dir, 'mixed');
  mkdirSync(mixed);
  copyFileSync(file, join(mixed, 'good.parquet'));
  writeFileSync(join(mixed, 'bad.parquet'), 'not a parquet file at all');
  await assert.rejects(readParquet(mixed).count(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.equal(error.input.path, join(mixed, 'bad.parquet'));
    assert.match(
      error.message,
      /ReadParquet failed at file .*bad\.parquet.*: cannot read the file .*; check the file, or pass onError: 'skip'/,
    );
    return true;
  });
  const errorLog = join(dir, 'parquet-errors.jsonl');
  const ds = readParquet(mixed, { onError: 'skip' });
  assert.equal(await ds.count({ errorLog }), ROWS);
  const [logged] = readErrorLog(errorLog);
  assert.equal(logged.operator, 'ReadParquet');
  assert.equal(logged.input.path, join(mixed, 'bad.parquet'));
  assert.equal(operatorStats(await ds.stats(), 'ReadParquet').skippedRows, 1);
});
