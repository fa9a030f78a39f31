/**
 * stats(): per-operator numbers measured from the run (rows, UDF time, backpressure,
 * tasks, retries, skipped rows), a readable table and a plain-object form.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { range, type DatasetStatsJson } from '../src/index.js';
import { exitOnceOnThreeUdf, mapFailsOnThirds, timeTaskUdf } from './fixtures/executor-udfs.js';

test('rows in and out, blocks, bytes and tasks follow the data through each operator', async () => {
  const ds = range(1000)
    .map((row) => ({ id: row.id, even: row.id % 2 === 0 }))
    .filter((row) => row.even, { concurrency: 4 });
  assert.equal(await ds.count({ cpus: 2 }), 500);
  const stats = await ds.stats();
  assert.deepEqual(
    stats.operators.map((o) => o.name),
    ['Range(1000)', 'Map(anonymous)', 'Filter(anonymous)'],
  );
  const [source, map, filter] = stats.operators;
  assert.deepEqual(
    [source.rowsIn, source.rowsOut, map.rowsIn, map.rowsOut, filter.rowsIn, filter.rowsOut],
    [1000, 1000, 1000, 1000, 1000, 500],
  );
  assert.equal(source.tasks, 0, 'a source runs no UDF tasks');
  assert.equal(map.tasks, source.blocksOut, 'one task per input block');
  assert.ok(filter.bytesOut > 0 && filter.bytesOut < map.bytesOut, `bytes ${filter.bytesOut} vs ${map.bytesOut}`);
  for (const o of stats.operators) assert.ok(o.wallMs > 0 && o.wallMs <= stats.wallMs + 1, `${o.name} wall ${o.wallMs}`);
});

test('UDF time counts the time inside user functions, on the main thread and on workers', async () => {
  const main = range(20).map(
    async (row) => {
      await sleep(5);
      return row;
    },
    { name: 'Sleepy' },
  );
  await main.count();
  assert.ok((await main.stats()).operator('Sleepy')!.udfMs >= 5);
  assert.equal((await main.stats()).operator('Range(20)')!.udfMs, 0);

  // Two 64-row batches, each 40 ms of worker time.
  const workers = range(128).mapBatches(timeTaskUdf, { batchSize: 64 });
  await workers.count({ cpus: 2 });
  const udfMs = (await workers.stats()).operator('MapBatches(timeTask)')!.udfMs;
  assert.ok(udfMs >= 75, `udf time ${udfMs.toFixed(1)} ms`);
});

test('backpressure time is measured where a fast stage waits for a slow one', async () => {
  const ds = range(20_000).mapBatches(
    async (batch) => {
      await sleep(10);
      return batch;
    },
    { batchSize: 1000, name: 'Slow' },
  );
  await ds.count({ memoryBudget: 4096 });
  const stats = await ds.stats();
  assert.ok(stats.operator('Range(20000)')!.backpressureMs > 0, 'the source waited for room');
  assert.equal(stats.operator('Slow')!.backpressureMs, 0, 'nothing waits after the last stage');
});

test('retries after a worker crash and skipped rows are counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-observe-stats-'));
  process.env.SLUICE_TEST_DIR = dir;
  try {
    const crashing = range(200).map(exitOnceOnThreeUdf);
    assert.equal(await crashing.count({ cpus: 1 }), 200);
    assert.equal((await crashing.stats()).operator('Map(exitOnceOnThree)')!.retries, 1);
  } finally {
    delete process.env.SLUICE_TEST_DIR;
    rmSync(dir, { recursive: true, force: true });
  }
  const skipping = range(300).map(mapFailsOnThirds, { onError: 'skip' });
  assert.equal(await skipping.count(), 200);
  const map = (await skipping.stats()).operator('Map(mapFailsOnThirds)')!;
  assert.deepEqual([map.skippedRows, map.rowsIn, map.rowsOut], [100, 300, 200]);
});

test('stats print as a table and convert to plain data', async () => {
  const ds = range(100).map((row) => row, { name: 'Identity' });
  await ds.count();
  const stats = await ds.stats();

  const lines = stats.toString().split('\n');
  assert.match(lines[0], /^operator +wall +udf +rows in +rows out +blocks +bytes out +backpressure +tasks +retries +skipped$/);
  assert.match(lines[1], /^Range\(100\) +\d+\.\dms +0\.0ms +100 +100 +\d+ +400B +0\.0ms +0 +0 +0$/);
  assert.match(lines[2], /^Identity +\d/);
  assert.match(lines[3], /^total wall \d+\.\dms, peak held \d+(\.\d)?K?i?B$/);

  const json = stats.toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(stats)) as DatasetStatsJson, json);
  assert.equal(json.operators.length, 2);
  assert.equal(json.operators[1].name, 'Identity');
  assert.equal(json.operators[1].rowsOut, 100);
  assert.equal(json.wallMs, stats.wallMs);
  json.operators[1].rowsOut = 0;
  assert.equal(stats.operator('Identity')!.rowsOut, 100, 'toJSON returns copies');
});
