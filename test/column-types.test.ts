/**
 * Column types users expect: whole numbers are integers (DuckDB sees INTEGER, not DOUBLE), every
 * file of one write has one schema, `types` declares a column's type on maps and writes, and a
 * Parquet file without rows still gives its schema.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Field, Float64, Int64, Schema, Table, tableToIPC, Utf8 } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import { fromItems, InvalidOptionError, range, readParquet, SchemaError } from '../src/index.js';
import { duckdb, namesIn, withTempDir } from './fixtures/io-write-helpers.js';

/** DuckDB's types of each file's columns, by file: one schema per file, read by an independent reader. */
async function typesPerFile(dir: string): Promise<Map<string, string>> {
  const { rows } = await duckdb(
    `SELECT file_name, name, type FROM parquet_schema('${dir}/*.parquet') WHERE type IS NOT NULL ORDER BY file_name, name`,
  );
  const byFile = new Map<string, string[]>();
  for (const row of rows)
    byFile.set(String(row.file_name), [...(byFile.get(String(row.file_name)) ?? []), `${String(row.name)}:${String(row.type)}`]);
  return new Map([...byFile].map(([file, columns]) => [file, columns.join(',')]));
}

test('whole-number columns are written as INTEGER and sum as integers; fractional ones stay DOUBLE', () =>
  withTempDir(async (dir) => {
    await range(1000)
      .map((r) => ({ page: r.id % 7, chunkIndex: r.id, score: r.id / 3 }))
      .writeParquet(dir, { targetRowsPerFile: 100 });
    const { rows, types } = await duckdb(
      `SELECT page, chunkIndex, score, sum(page) OVER () AS total FROM read_parquet('${dir}/*.parquet') LIMIT 1`,
    );
    assert.equal(types.page, 'INTEGER');
    assert.equal(types.chunkIndex, 'INTEGER');
    assert.equal(types.score, 'DOUBLE');
    assert.equal(typeof rows[0].total, 'bigint', 'the sum of an INTEGER column is an integer');
  }));

test("every file of one write has the first file's types: later whole numbers in a DOUBLE column stay DOUBLE", () =>
  withTempDir(async (dir) => {
    // The first 100 rows have fractions, the rest are whole: per block they would infer DOUBLE, then INTEGER.
    await range(1000)
      .map((r) => ({ id: r.id, x: r.id < 100 ? r.id + 0.5 : r.id }))
      .writeParquet(dir, { targetRowsPerFile: 100, preserveOrder: true });
    const perFile = await typesPerFile(dir);
    assert.equal(perFile.size, 10);
    assert.deepEqual(new Set(perFile.values()), new Set(['id:INT32,x:DOUBLE']));
    const { rows } = await duckdb(`SELECT sum(x) AS total FROM read_parquet('${dir}/*.parquet')`);
    assert.equal(rows[0].total, (999 * 1000) / 2 + 50);
  }));

test('a fraction after an integer first file fails the write with the column, the value and the fix; nothing is kept', () =>
  withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const run = range(1000)
      .map((r) => ({ id: r.id, x: r.id < 900 ? r.id : r.id + 0.5 }))
      .writeParquet(out, { targetRowsPerFile: 100, preserveOrder: true });
    await assert.rejects(run, (error: Error) => {
      assert.ok(error instanceof SchemaError, String(error));
      assert.match(error.message, /WriteParquet.*column 'x' row \d+ holds 900\.5, which Int32 cannot hold exactly/);
      assert.match(error.message, /types: \{ x: 'float64' \}/);
      return true;
    });
    assert.deepEqual(await namesIn(out), []);
    // Declared, it is written, every file DOUBLE.
    await range(1000)
      .map((r) => ({ id: r.id, x: r.id < 900 ? r.id : r.id + 0.5 }))
      .writeParquet(out, { targetRowsPerFile: 100, types: { x: 'float64' } });
    assert.deepEqual(new Set((await typesPerFile(out)).values()), new Set(['id:INT32,x:DOUBLE']));
  }));

test('types on a write override the inferred ones, by name, Arrow type or Schema, after renames', () =>
  withTempDir(async (dir) => {
    const ds = range(10).map((r) => ({ id: r.id, label: `n${r.id}` }));
    await ds.renameColumns({ id: 'n' }).writeParquet(join(dir, 'a'), { types: { n: 'int64' } });
    assert.deepEqual(new Set((await typesPerFile(join(dir, 'a'))).values()), new Set(['label:BYTE_ARRAY,n:INT64']));
    await ds.writeParquet(join(dir, 'b'), { types: { id: new Float64() } });
    const b = await duckdb(`SELECT id FROM read_parquet('${dir}/b/*.parquet') LIMIT 1`);
    assert.equal(b.types.id, 'DOUBLE');
    const schema = new Schema([new Field('id', new Int64(), true), new Field('label', new Utf8(), true)]);
    await ds.writeParquet(join(dir, 'c'), { types: schema });
    assert.equal((await duckdb(`SELECT id FROM read_parquet('${dir}/c/*.parquet') LIMIT 1`)).types.id, 'BIGINT');
    await assert.rejects(ds.writeParquet(join(dir, 'd'), { types: { id: 'integer' as 'int32' } }), (error: Error) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.match(error.message, /option 'types\.id' must be a column type: one of 'int32', 'int64'.*received "integer"/);
      return true;
    });
  }));

test('types on map, flatMap and mapBatches cast their output columns, and refuse a value that would change', async () => {
  const mapped = range(5).map((r) => ({ n: r.id, s: String(r.id) }), { types: { n: 'float64' } });
  assert.equal(String((await mapped.schema()).fields[0].type), 'Float64');
  assert.deepEqual(
    (await mapped.takeAll({ preserveOrder: true })).map((r) => r.n),
    [0, 1, 2, 3, 4],
  );
  const flat = range(3).flatMap((r) => [{ big: r.id }], { types: { big: 'int64' } });
  assert.equal(String((await flat.schema()).fields[0].type), 'Int64');
  const batches = range(4).mapBatches((rows) => rows.map((r) => ({ half: r.id / 2 })), { types: { half: 'int32' } });
  await assert.rejects(batches.takeAll(), (error: Error) => {
    assert.ok(error instanceof SchemaError, String(error));
    assert.match(error.message, /column 'half' row 1 holds 0\.5, which Int32 cannot hold exactly/);
    return true;
  });
  assert.throws(() => range(1).map((r) => r, { types: 'int32' as never }), InvalidOptionError);
});

test('a Parquet file with a schema and no rows gives that schema, and no rows', () =>
  withTempDir(async (dir) => {
    const schema = new Schema([new Field('id', new Int64(), true), new Field('text', new Utf8(), true)]);
    const empty = new Table(schema);
    await writeFile(join(dir, 'empty.parquet'), writeParquet(WasmTable.fromIPCStream(tableToIPC(empty, 'stream'))));
    const ds = readParquet(dir);
    assert.deepEqual(
      (await ds.schema()).fields.map((f) => `${f.name}:${String(f.type)}`),
      ['id:Int64', 'text:Utf8'],
    );
    assert.equal(await ds.count(), 0);
    assert.deepEqual(await ds.takeAll(), []);
    // An empty dataset from items has no schema to give.
    assert.deepEqual((await fromItems([]).schema()).fields, []);
  }));
