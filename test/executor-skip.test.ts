/**
 * onError: 'skip': failing rows (map, filter) or batches (mapBatches) are dropped, one JSON
 * line per failure (operator, input, message) goes to the error log, and the job goes on,
 * on the main thread and on the task pool.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { range, type DatasetStats } from '../src/index.js';
import {
  batchFailsOnTwentyFive,
  batchFailsOnTwentyFiveUdf,
  filterFailsOnThirds,
  filterFailsOnThirdsUdf,
  mapFailsOnThirds,
  mapFailsOnThirdsUdf,
} from './fixtures/executor-udfs.js';

interface LogLine {
  time: string;
  operator: string;
  input: { taskIndex?: number; rowIndex?: number; preview?: string; path?: string };
  rows: number;
  message: string;
}

let dir = '';
let errorLog = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-skip-'));
  errorLog = join(dir, 'errors.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readLog(): LogLine[] {
  return readFileSync(errorLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
}

const N = 300; // 64-row blocks: five tasks
const ids = Array.from({ length: N }, (_, i) => i);
const thirds = ids.filter((i) => i % 3 === 0);
const skipped = (stats: DatasetStats) => stats.operators.reduce((n, o) => n + o.skippedRows, 0);

/** Checks that the log has exactly one line per id in `failed`, each naming the operator and its row. */
function assertLoggedRows(log: LogLine[], operator: string, failed: readonly number[]): void {
  assert.equal(log.length, failed.length);
  const logged = log.map((line) => {
    assert.equal(line.operator, operator);
    assert.equal(line.rows, 1);
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.equal(typeof line.input.rowIndex, 'number');
    const id = (JSON.parse(line.input.preview!) as { id: number }).id;
    assert.equal(line.message, `no thirds: ${id}`);
    return id;
  });
  assert.deepEqual(
    logged.sort((a, b) => a - b),
    failed,
  );
}

for (const [where, mapFn, filterFn, batchFn, cpus] of [
  ['main thread', mapFailsOnThirds, filterFailsOnThirds, batchFailsOnTwentyFive, undefined],
  ['task pool', mapFailsOnThirdsUdf, filterFailsOnThirdsUdf, batchFailsOnTwentyFiveUdf, 2],
] as const) {
  test(`${where}: map with onError 'skip' drops the failing rows, logs each, and keeps the rest`, async () => {
    const ds = range(N).map(mapFn, { onError: 'skip' });
    const rows = await ds.takeAll({ errorLog, cpus });
    assert.deepEqual(
      rows.map((r) => r.id).sort((a, b) => a - b),
      ids.filter((i) => i % 3 !== 0),
    );
    assert.ok(rows.every((r) => r.half === r.id / 2));
    assertLoggedRows(readLog(), 'Map(mapFailsOnThirds)', thirds);
    assert.equal(skipped(await ds.stats()), thirds.length);
  });

  test(`${where}: filter with onError 'skip' drops the failing rows and logs each`, async () => {
    const ds = range(N).filter(filterFn, { onError: 'skip', name: 'EvenNotThird' });
    const rows = await ds.takeAll({ errorLog, cpus });
    assert.deepEqual(
      rows.map((r) => r.id).sort((a, b) => a - b),
      ids.filter((i) => i % 3 !== 0 && i % 2 === 0),
    );
    assertLoggedRows(readLog(), 'EvenNotThird', thirds);
  });

  test(`${where}: mapBatches with onError 'skip' drops the failing batch and logs it once`, async () => {
    const ds = range(50).mapBatches(batchFn, { batchSize: 10, onError: 'skip' });
    const rows = await ds.takeAll({ errorLog, cpus });
    assert.deepEqual(
      rows.map((r) => r.id).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i).filter((i) => i < 20 || i >= 30),
    );
    assert.ok(rows.every((r) => r.double === r.id * 2));
    const log = readLog();
    assert.equal(log.length, 1);
    assert.equal(log[0].operator, 'MapBatches(batchFailsOnTwentyFive)');
    assert.equal(log[0].rows, 10);
    assert.equal(log[0].input.rowIndex, 20);
    assert.equal(log[0].message, 'batch with 25');
    assert.equal(skipped(await ds.stats()), 10);
  });
}

test("without an errorLog, onError 'skip' still drops the rows and counts them", async () => {
  const ds = range(N).map(mapFailsOnThirds, { onError: 'skip' });
  assert.equal((await ds.takeAll()).length, N - thirds.length);
  assert.equal(skipped(await ds.stats()), thirds.length);
  assert.equal(existsSync(errorLog), false);
});

test("onError 'skip' on one operator does not hide errors of another", async () => {
  const ds = range(N)
    .map(mapFailsOnThirds, { onError: 'skip' })
    .map((row) => {
      if (row.id === 100) throw new Error('strict step failed');
      return row;
    });
  await assert.rejects(ds.takeAll({ errorLog }), /strict step failed/);
});

test('each error-log line carries the error class and stack, on the main thread and from a worker', async () => {
  for (const fn of [mapFailsOnThirds, mapFailsOnThirdsUdf]) {
    rmSync(errorLog, { force: true });
    await range(9).map(fn, { onError: 'skip', name: 'Thirds' }).takeAll({ errorLog, cpus: 2 });
    const lines = readFileSync(errorLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine & { errorClass?: string; stack?: string });
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.equal(line.errorClass, 'Error');
      assert.match(line.stack ?? '', /^Error: no thirds: \d+\n\s+at mapFailsOnThirds /);
    }
  }
});
