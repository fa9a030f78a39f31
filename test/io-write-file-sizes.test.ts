/** File sizes follow the write's targets whatever runs before it: UDFs, flatMap, batches, actors, reads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { range, readParquet } from '../src/index.js';
import { duckdb, withTempDir } from './fixtures/io-write-helpers.js';
import { paddedUdf, SameBatchActorUdf, sameBatchUdf, tenChunksUdf } from './fixtures/file-size-udfs.js';

async function rowsIn(dir: string): Promise<number> {
  return Number((await duckdb(`SELECT count(*) AS n FROM read_parquet('${dir}/*.parquet')`)).rows[0].n);
}

test('after a flatMap on workers, targetRowsPerFile sets the file count (not one file per task)', async () => {
  await withTempDir(async (dir) => {
    const result = await range(2_000).flatMap(tenChunksUdf).writeParquet(dir, { targetRowsPerFile: 5_000, cpus: 2 });
    assert.equal(result.files.length, 4, '20,000 rows in files of 5,000');
    assert.equal(await rowsIn(dir), 20_000);
  });
});

test('after a map on workers, targetBytesPerFile sets the file count', async () => {
  await withTempDir(async (dir) => {
    // 4,000 rows of ~1 KiB: about 4 MiB of Arrow data, in files of 1 MiB.
    const result = await range(4_000)
      .map(paddedUdf)
      .writeParquet(dir, { targetBytesPerFile: 1024 ** 2, cpus: 2 });
    assert.ok(result.files.length >= 4 && result.files.length <= 5, `${result.files.length} files`);
    assert.equal(await rowsIn(dir), 4_000);
  });
});

test('after mapBatches on workers, or on an actor pool, a small output is one file', async () => {
  await withTempDir(async (dir) => {
    const tasks = await range(5_000).mapBatches(sameBatchUdf, { batchSize: 100 }).writeParquet(`${dir}/tasks`, { cpus: 2 });
    assert.equal(tasks.files.length, 1);
    const actors = await range(5_000)
      .mapBatches(SameBatchActorUdf, { batchSize: 100, concurrency: 2, numCpus: 0.5 })
      .writeParquet(`${dir}/actors`, { cpus: 2 });
    assert.equal(actors.files.length, 1);
  });
});

test('a read of many small files written again makes files of the target size', async () => {
  await withTempDir(async (dir) => {
    const small = await range(3_000).writeParquet(`${dir}/small`, { targetRowsPerFile: 100, cpus: 2 });
    assert.equal(small.files.length, 30);
    const merged = await readParquet(`${dir}/small`).writeParquet(`${dir}/merged`, { targetRowsPerFile: 1_000, cpus: 2 });
    assert.equal(merged.files.length, 3);
    assert.equal(await rowsIn(`${dir}/merged`), 3_000);
  });
});

test('after a main-thread map, targetRowsPerFile sets the file count', async () => {
  await withTempDir(async (dir) => {
    const result = await range(3_000)
      .map((r) => ({ ...r, twice: r.id * 2 }))
      .writeParquet(dir, { targetRowsPerFile: 1_000, cpus: 2 });
    assert.equal(result.files.length, 3);
  });
});
