/**
 * writeParquet: files that DuckDB reads back with equal values, file sizes from the
 * targets, a WriteResult that matches the directory, and the write an operator of its own
 * after a UDF (so that file sizes follow the targets).
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { threadId as mainThreadId } from 'node:worker_threads';
import { fromItems, range } from '../src/index.js';
import { planJob } from '../src/plan/planner.js';
import { logical } from '../src/plan/logical.js';
import { duckdb, namesIn, withTempDir } from './fixtures/io-write-helpers.js';
import { tagThreadUdf } from './fixtures/io-write-udfs.js';

const DIM = 384;

function sampleRows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: BigInt(i) * 1_000_000_007n,
    score: i / 7,
    text: i % 5 === 0 ? null : `row ${i}, "quoted"\nüñí`,
    flag: i % 3 === 0,
    bytes: Uint8Array.from([i % 256, 0, 255]),
    vector: Float32Array.from({ length: DIM }, (_, j) => Math.fround(i + j / 1000)),
  }));
}

test('writeParquet: DuckDB reads back equal int64, float64, utf8, boolean, binary, null and 384-float vector values', async () => {
  await withTempDir(async (dir) => {
    const input = sampleRows(300);
    const result = await fromItems(input).writeParquet(dir, { cpus: 2 });
    assert.equal(result.rows, input.length);

    const { rows, types } = await duckdb(`SELECT * FROM read_parquet('${dir}/*.parquet') ORDER BY id`);
    assert.deepEqual(types, { id: 'BIGINT', score: 'DOUBLE', text: 'VARCHAR', flag: 'BOOLEAN', bytes: 'BLOB', vector: 'FLOAT[]' });
    assert.equal(rows.length, input.length);
    rows.forEach((row, i) => {
      const expected = input[i];
      assert.equal(row.id, expected.id);
      assert.equal(row.score, expected.score);
      assert.equal(row.text, expected.text);
      assert.equal(row.flag, expected.flag);
      assert.deepEqual(new Uint8Array(row.bytes as Buffer), expected.bytes);
      assert.deepEqual(Float32Array.from(row.vector as number[]), expected.vector, `vector of row ${i}`);
    });
  });
});

test('writeParquet: targetRowsPerFile cuts files; WriteResult files, rows and bytes match the directory; no temporary files remain', async () => {
  await withTempDir(async (dir) => {
    const result = await range(10_000).writeParquet(dir, { targetRowsPerFile: 1_500, cpus: 2 });
    assert.equal(result.rows, 10_000);
    assert.equal(result.files.length, 7, `files: ${result.files.join(', ')}`);
    assert.deepEqual(
      await namesIn(dir),
      [...result.files.map((f) => f.slice(dir.length + 1)), '_SUCCESS'],
      'the directory holds exactly the files of the result, and the marker of a complete write',
    );
    assert.ok(result.files.every((f) => f.startsWith(join(dir, `${result.writeId}_`)) && f.endsWith('.parquet')));

    const sizes = await Promise.all(result.files.map(async (f) => (await stat(f)).size));
    assert.equal(
      result.bytes,
      sizes.reduce((a, b) => a + b, 0),
    );
    assert.deepEqual(
      result.returns.map((r) => r.bytes),
      sizes,
    );

    const perFile = await duckdb(
      `SELECT filename, count(*)::INTEGER AS n FROM read_parquet('${dir}/*.parquet', filename = true) GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(
      perFile.rows.map((r) => r.n),
      [1500, 1500, 1500, 1500, 1500, 1500, 1000],
    );
    assert.deepEqual(
      result.returns.map((r) => r.rows),
      [1500, 1500, 1500, 1500, 1500, 1500, 1000],
    );
    const ids = await duckdb(`SELECT count(DISTINCT id)::INTEGER AS n, min(id) AS lo, max(id) AS hi FROM read_parquet('${dir}/*.parquet')`);
    assert.deepEqual(ids.rows[0], { n: 10_000, lo: 0, hi: 9_999 });
  });
});

test('writeParquet: targetBytesPerFile cuts files by size, and compression and rowGroupSize reach the file', async () => {
  await withTempDir(async (dir) => {
    const input = sampleRows(400);
    // About 1.6 KB of Arrow data per row: 200 KB per file is about 125 rows.
    const result = await fromItems(input).writeParquet(dir, {
      targetBytesPerFile: 200_000,
      compression: 'zstd',
      rowGroupSize: 50,
      cpus: 2,
    });
    assert.ok(result.files.length >= 3 && result.files.length <= 5, `${result.files.length} files`);
    assert.equal(result.rows, 400);
    const meta = await duckdb(
      'SELECT compression, max(row_group_num_rows)::INTEGER AS largest, max(row_group_id)::INTEGER AS last ' +
        `FROM parquet_metadata('${dir}/*.parquet') GROUP BY 1`,
    );
    assert.equal(meta.rows.length, 1);
    assert.equal(meta.rows[0].compression, 'ZSTD');
    assert.equal(meta.rows[0].largest, 50, 'row groups hold at most rowGroupSize rows');
    assert.ok((meta.rows[0].last as number) >= 1, 'a file of more than 50 rows has several row groups');
  });
});

test('writeParquet after map(udf): the write is an operator of its own on the task pool, so its files follow the targets', async () => {
  await withTempDir(async (dir) => {
    const ds = range(2_000).map(tagThreadUdf, { name: 'Tag' });
    const result = await ds.writeParquet(dir, { cpus: 2 });
    assert.deepEqual(
      result.stats.operators.map((o) => o.name),
      ['Range(2000)', 'Tag', `WriteParquet(${dir})`],
    );
    assert.equal(result.files.length, 1, 'one file of 2,000 small rows, not one per task');
    const threads = await duckdb(`SELECT DISTINCT thread FROM read_parquet('${dir}/*.parquet')`);
    assert.ok(!threads.rows.some((r) => r.thread === mainThreadId), 'the map ran on the main thread');
  });
});

test('a write after column operations alone still fuses with them: one task does both', () => {
  const write = logical.map(
    range(10).selectColumns(['id']).plan,
    {
      op: 'blocks',
      name: 'W',
      fn: { kind: 'local', fn: () => [] },
      args: {},
      onError: 'fail',
      maxRows: Infinity,
      maxBytes: Infinity,
      timeoutMsPerRow: undefined,
      inputs: 'rows',
    },
    { kind: 'tasks', numCpus: 1, concurrency: undefined },
    { maxRetries: 3, retryExceptions: false },
  );
  const physical = planJob(write).physical;
  assert.equal(physical.kind, 'Map');
  assert.deepEqual(physical.kind === 'Map' && physical.transforms.map((t) => t.op), ['selectColumns', 'blocks']);
  assert.equal(physical.kind === 'Map' && physical.compute.kind, 'tasks');
});

test('writeParquet of an empty dataset writes no data files, and creates the directory (with _SUCCESS)', async () => {
  await withTempDir(async (parent) => {
    const dir = join(parent, 'a', 'b');
    const result = await range(10)
      .filter((r) => r.id > 100)
      .writeParquet(dir);
    assert.deepEqual(result.files, []);
    assert.equal(result.rows, 0);
    assert.deepEqual(await namesIn(dir), ['_SUCCESS']);
  });
});
